#!/usr/bin/env bash
# Per-layer Wanda, SparseGPT and GPTQ timings on the four reference MiniLM layers (../shared/reference), the
# statistics step (Σx², XᵀX) and the prune / quantize step apart, on 1 and 2 threads:
#   - ModelPrune: bench/LayerTimings (BenchmarkDotNet, in-process, median of 7 iterations), calling the
#     engine's public API: LayerStatisticsCollector on a one-MatMul model fed X in batches of rows,
#     WandaPruner.SelectPruned, SparseGptPruner.Prune and, as a sub-step, the cholesky -> cholesky_inverse
#     -> cholesky factorisation of the damped H on ManagedLinearAlgebra; GptqQuantizer.Quantize given H for the
#     reference's three GPTQ cases (int8 per channel sym, int4 per channel asym, int4 group 128 asym);
#   - PyTorch: bench/reference_timings.py (the reference computation, median of runs), once with netlib
#     reference BLAS/LAPACK (what the reference was run with) and once with OpenBLAS (pthread build).
# Both first check their results against the reference outputs (Wanda masks, SparseGPT rel_err and mask
# agreement, GPTQ rel_err against ../shared/reference/quant/metrics.csv and int4g128 code agreement) and stop
# if they are off, so the timings are of the real computation.
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
#   BENCH_DIR (default artifacts/bench/layers; the table is also written to $BENCH_DIR/layers.md),
#   LAYERS_STEPS (a step prefix: stats, wanda, sparsegpt or gptq; only those steps are checked and timed, and
#   BenchmarkDotNet gets the matching --filter unless LAYERS_BDN_ARGS is set). GPTQ alone: about 25 minutes on
#   2 busy cores, mostly torch on netlib.
# The machine's load average is recorded at the start and the end (load.txt, and at the end of layers.md).
#   LAYERS_TABLE_ONLY=1: run nothing, only make layers.md again from the files of an earlier run in $BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_DIR:-artifacts/bench/layers}
export LAYER_BATCH_ROWS=${LAYER_BATCH_ROWS:-128}
runs=${TORCH_RUNS:-5}
python=/usr/bin/python3   # Debian's python3-torch is installed for the system interpreter, not pyenv's
lib=/usr/lib/x86_64-linux-gnu
declare -A blas_path=([netlib]="$lib/blas:$lib/lapack" [openblas]="$lib/openblas-pthread")
steps=${LAYERS_STEPS:-}
case "$steps" in
  "") bdn_filter= ;;
  stats) bdn_filter="--filter *Stats*" ;;
  wanda) bdn_filter="--filter *Wanda*" ;;
  sparsegpt) bdn_filter="--filter *SparseGpt*" ;;
  gptq) bdn_filter="--filter *Gptq*" ;;
  *) echo "LAYERS_STEPS must be stats, wanda, sparsegpt or gptq" >&2; exit 2 ;;
esac
bdn_args=${LAYERS_BDN_ARGS:-$bdn_filter}
step_args=(); [ -n "$steps" ] && step_args=(--steps "$steps")
if [ -z "${LAYERS_TABLE_ONLY:-}" ]; then
rm -rf "$work" && mkdir -p "$work"
echo "start $(date -u +%FT%TZ): $(cut -d' ' -f1-3 /proc/loadavg) (load average 1/5/15 min, $(nproc) cores)" | tee "$work/load.txt"

dotnet build bench/LayerTimings -c Release -nodeReuse:false -v:q -tl:off >/dev/null
app=bench/LayerTimings/bin/Release/net10.0/LayerTimings.dll

pin() { if [ "$1" = 1 ]; then echo "taskset -c 0"; fi; }

for threads in 1 2; do
  echo "== ModelPrune, $threads thread(s): check"
  DOTNET_PROCESSOR_COUNT=$threads $(pin $threads) dotnet $app check --cores "$work/cores-$threads.tsv" "${step_args[@]}"
  echo "== ModelPrune, $threads thread(s): BenchmarkDotNet"
  # shellcheck disable=SC2086
  DOTNET_PROCESSOR_COUNT=$threads $(pin $threads) dotnet $app bench --artifacts "$work/bdn-$threads" $bdn_args \
    > "$work/bdn-$threads.log" || { tail -n 40 "$work/bdn-$threads.log"; exit 1; }
  sed -n '/^| Method/,/^$/p' "$work/bdn-$threads.log"
done

for blas in netlib openblas; do
  for threads in 1 2; do
    echo "== torch $blas, $threads thread(s)"
    check=; [ "$threads" = 2 ] && check=--check
    LD_LIBRARY_PATH=${blas_path[$blas]} OMP_NUM_THREADS=$threads $(pin $threads) \
      $python bench/reference_timings.py $check --threads "$threads" --runs "$runs" --label "$blas" --out "$work/torch.tsv" "${step_args[@]}"
  done
done

echo "end $(date -u +%FT%TZ): $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$work/load.txt"
fi

$python - "$work" "$(cd "$(dirname "$0")/.." && pwd)/../shared/reference" <<'PY' | tee "$work/layers.md"
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
    "gptq_int8pc": ("gptq", "quantize int8 per channel"),
    "gptq_int4pc": ("gptq", "quantize int4 per channel"),
    "gptq_int4g128": ("gptq", "quantize int4 group 128"),
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
            if m is None and n is None and o is None:
                continue  # a step left out by LAYERS_STEPS
            best = min([v for v in (n, o) if v is not None], default=None)
            ratio = "-" if m is None or best is None else f"{best / m:.1f}x"
            print(f"| {layer} | {method} | {title} | {threads} | {fmt(m)} | {fmt(n)} | {fmt(o)} | {ratio} | {busy.get((layer, step, threads), '-')} |")

# GPTQ on its own, beside the reference's own quantize time (quant/metrics.csv t_quant_ms: one run of the
# published code, 1 thread, netlib, on a shared machine; it includes the same find_params, factorisation and
# sweep as the step timed here). The issue's target: ModelPrune faster than torch with OpenBLAS.
reference = {}
metrics = os.path.join(sys.argv[2], "quant", "metrics.csv")
if os.path.exists(metrics):
    rows = [line.strip().split(",") for line in open(metrics)]
    t = rows[0].index("t_quant_ms")
    reference = {(r[0], r[1].replace(".", "_")): float(r[t]) for r in rows[1:]}
gptq = [s for s in steps if s.startswith("gptq")]
if any(mp.get((l, s, th)) is not None or torch.get((l, s, th, "netlib")) is not None
       for l in ["L0_attn_query", "L0_ffn_inter", "L0_ffn_output", "L5_ffn_output"] for s in gptq for th in (1, 2)):
    print()
    print("GPTQ quantize step given H (medians, ms):")
    print()
    print("| layer | case | threads | ModelPrune | torch netlib | torch OpenBLAS | OpenBLAS / ModelPrune | reference t_quant_ms (1 thread, netlib) | ModelPrune cores busy / working threads |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for layer in ["L0_attn_query", "L0_ffn_inter", "L0_ffn_output", "L5_ffn_output"]:
        for step in gptq:
            for threads in (1, 2):
                m = mp.get((layer, step, threads))
                n = torch.get((layer, step, threads, "netlib"))
                o = torch.get((layer, step, threads, "openblas"))
                ratio = "-" if m is None or o is None else f"{o / m:.1f}x"
                print(f"| {layer} | {step[5:]} | {threads} | {fmt(m)} | {fmt(n)} | {fmt(o)} | {ratio} | {fmt(reference.get((layer, step)))} | {busy.get((layer, step, threads), '-')} |")
print()
print("Load average (1/5/15 min) at the start and the end of the run:")
print()
for line in open(os.path.join(work, "load.txt")):
    print(f"- {line.strip()}")
PY
