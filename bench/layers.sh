#!/usr/bin/env bash
# Per-layer Wanda and SparseGPT timings on the four reference MiniLM layers (../shared/reference), the
# statistics step (Σx², XᵀX) and the prune step apart, on 1 and 2 threads:
#   - ModelPrune: bench/LayerTimings (BenchmarkDotNet, in-process, median of 7 iterations), calling the
#     engine's public API: LayerStatisticsCollector on a one-MatMul model fed X in batches of rows,
#     WandaPruner.SelectPruned, SparseGptPruner.Prune and, as a sub-step, the cholesky -> cholesky_inverse
#     -> cholesky factorisation of the damped H on ManagedLinearAlgebra;
#   - PyTorch: bench/reference_timings.py (the reference computation, median of runs), once with netlib
#     reference BLAS/LAPACK (what the reference was run with) and once with OpenBLAS (pthread build).
# Both first check their results against the reference outputs (Wanda masks, SparseGPT rel_err and mask
# agreement) and stop if they are off, so the timings are of the real computation.
# Threads: 2 = DOTNET_PROCESSOR_COUNT=2 (ORT intra-op threads, Parallel.For, ManagedLinearAlgebra) and
# torch.set_num_threads(2) with OpenBLAS set to 2. 1 = the same with 1, and the process pinned to one core
# with taskset: DOTNET_PROCESSOR_COUNT=1 alone leaves the engine's Parallel.For calls (Wanda) running on
# two cores (the check step's "cores busy" / "working threads" show it).
# The BLAS is chosen per process with LD_LIBRARY_PATH; the system's libblas/liblapack alternatives are
# neither read nor changed. The script prints which files torch actually mapped.
# Usage: bash bench/layers.sh                 (about 20 minutes on 2 busy cores; netlib is most of it)
#   needs: apt-get install python3-torch python3-numpy libopenblas0-pthread   (and note that installing
#   libopenblas0-pthread switches the libblas.so.3/liblapack.so.3 alternatives to OpenBLAS: set them back
#   with update-alternatives --set if other programs rely on netlib)
#   env: LAYER_BATCH_ROWS (calibration rows per ORT run / per torch add_batch, default 128), TORCH_RUNS
#   (default 5), LAYERS_BDN_ARGS (extra BenchmarkDotNet arguments, e.g. "--filter *Wanda*"),
#   BENCH_DIR (default artifacts/bench/layers; the table is also written to $BENCH_DIR/layers.md).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_DIR:-artifacts/bench/layers}
export LAYER_BATCH_ROWS=${LAYER_BATCH_ROWS:-128}
runs=${TORCH_RUNS:-5}
python=/usr/bin/python3   # Debian's python3-torch is installed for the system interpreter, not pyenv's
lib=/usr/lib/x86_64-linux-gnu
declare -A blas_path=([netlib]="$lib/blas:$lib/lapack" [openblas]="$lib/openblas-pthread")
rm -rf "$work" && mkdir -p "$work"

dotnet build bench/LayerTimings -c Release -nodeReuse:false -v:q -tl:off >/dev/null
app=bench/LayerTimings/bin/Release/net10.0/LayerTimings.dll

pin() { if [ "$1" = 1 ]; then echo "taskset -c 0"; fi; }

for threads in 1 2; do
  echo "== ModelPrune, $threads thread(s): check"
  DOTNET_PROCESSOR_COUNT=$threads $(pin $threads) dotnet $app check --cores "$work/cores-$threads.tsv"
  echo "== ModelPrune, $threads thread(s): BenchmarkDotNet"
  # shellcheck disable=SC2086
  DOTNET_PROCESSOR_COUNT=$threads $(pin $threads) dotnet $app bench --artifacts "$work/bdn-$threads" ${LAYERS_BDN_ARGS:-} \
    > "$work/bdn-$threads.log" || { tail -n 40 "$work/bdn-$threads.log"; exit 1; }
  sed -n '/^| Method/,/^$/p' "$work/bdn-$threads.log"
done

for blas in netlib openblas; do
  for threads in 1 2; do
    echo "== torch $blas, $threads thread(s)"
    check=; [ "$threads" = 2 ] && check=--check
    LD_LIBRARY_PATH=${blas_path[$blas]} OMP_NUM_THREADS=$threads $(pin $threads) \
      $python bench/reference_timings.py $check --threads "$threads" --runs "$runs" --label "$blas" --out "$work/torch.tsv"
  done
done

$python - "$work" <<'PY' | tee "$work/layers.md"
import glob, json, os, sys
work = sys.argv[1]
steps = {  # step id -> (method, step)
    "stats_wanda": ("wanda", "statistics Σx²"),
    "stats_sparsegpt": ("sparsegpt", "statistics Σx²+XᵀX"),
    "stats_setup": ("(both)", "statistics: graph+session only"),
    "wanda_unstructured50": ("wanda", "prune 50%"),
    "wanda_2of4": ("wanda", "prune 2:4"),
    "sparsegpt_unstructured50": ("sparsegpt", "prune 50%"),
    "sparsegpt_2of4": ("sparsegpt", "prune 2:4"),
    "sparsegpt_factorisation": ("sparsegpt", "  of which chol/inv/chol"),
}
mp, busy, torch = {}, {}, {}
for threads in (1, 2):
    for path in glob.glob(os.path.join(work, f"bdn-{threads}", "results", "*-report-full.json")):
        for b in json.load(open(path))["Benchmarks"]:
            mp[(b["Parameters"].split("=", 1)[1], b["MethodTitle"], threads)] = b["Statistics"]["Median"] / 1e6
    for line in open(os.path.join(work, f"cores-{threads}.tsv")):
        layer, step, cores, working = line.split()
        busy[(layer, step, threads)] = f"{cores} / {working}"
for line in open(os.path.join(work, "torch.tsv")):
    layer, step, threads, ms, _, label = line.split()
    torch[(layer, step, int(threads), label)] = float(ms)

fmt = lambda v: "-" if v is None else f"{v:.1f}" if v >= 10 else f"{v:.2f}"
print("| layer | method | step | threads | ModelPrune ms | torch netlib ms | torch OpenBLAS ms | best torch / ModelPrune | ModelPrune cores busy / working threads |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|")
for layer in ["L0_attn_query", "L0_ffn_inter", "L0_ffn_output", "L5_ffn_output"]:
    for step, (method, title) in steps.items():
        for threads in (1, 2):
            m = mp.get((layer, step, threads))
            n = torch.get((layer, step, threads, "netlib"))
            o = torch.get((layer, step, threads, "openblas"))
            best = min([v for v in (n, o) if v is not None], default=None)
            ratio = "-" if m is None or best is None else f"{best / m:.1f}x"
            print(f"| {layer} | {method} | {title} | {threads} | {fmt(m)} | {fmt(n)} | {fmt(o)} | {ratio} | {busy.get((layer, step, threads), '-')} |")
PY
