#!/usr/bin/env bash
# Structured pruning benchmark: does removing whole units (MLP neurons, attention heads, conv filters) buy a
# smaller, faster dense model, and at what cost in fidelity? Two models:
#   - MiniLM (all-MiniLM-L6-v2, 90.9 MB): flap (calibrated on 64 sentences, default ../shared/reference/sentences.txt)
#     and maw at --structure neurons --sparsity 0.3 (the headline), heads 0.25 and auto 0.3 (context), and flap
#     neurons 0.3 with --unit-multiple 16 (kernel-friendly widths). Fidelity: mean / 5th-percentile / min cosine of
#     the pruned model's sentence embeddings to the dense model's on 128 held-out sentences (bench/data/heldout-sentences.txt);
#   - DigitCnn (the trained 8x8-digits CNN of tests/fixtures, StructuredFixtures.DigitCnn): flap (calibrated on
#     digit_cnn.calib.npz) and maw at --structure filters --sparsity 0.3, plain and with --unit-multiple 8 and 16
#     (ORT's NCHWc kernels want channel counts that are multiples of 4 and of their block, 8 or 16 by CPU).
#     Fidelity: accuracy before -> after on the 500 labelled samples of digit_cnn.eval.npz, from the engine's own
#     evaluation (<output>.prune.json, evaluation.outputs[0]).
# Per run: the share of prunable parameters the engine removed (structured.removedFraction), the model's float
# parameters (as the engine's report counts them) and file size before and after, the wall time of the whole
# `modelprune prune --no-cache --device cpu` process and of its "prune" stage (<output>.prune.run.json), and
# ONNX Runtime CPU latency, dense against pruned, at batch 1 and batch 32 (bench/SentenceEmbeddings latency):
#   - sessions as an application opens them: ORT_ENABLE_ALL (the default), sequential, 2 intra-op threads;
#     both models in one process, interleaved round by round (AB, BA, ...) after 5 warm-up rounds; the medians
#     of the timed rounds (at least LATENCY_RUNS_BATCH1 / LATENCY_RUNS_BATCH32, default 200 / 40, and at least
#     LATENCY_MIN_SECONDS, default 3, of them: DigitCnn runs in microseconds) and the median of the per-round
#     speed-ups with its quartiles; every measurement's raw line is kept in $BENCH_DIR/structured/latency.tsv.
#     The two sessions share one intra-op thread pool (ORT's global pool): with a pool each, the idle session's
#     spinning worker steals a core from the running one on a 2-core machine (dense vs dense: 65-70 ms +-25%
#     instead of ~50 ms +-5%; see bench/SentenceEmbeddings/TimedSession.cs);
#   - MiniLM inputs: real tokens of the held-out sentences, batch 1 = the first sentence, batch 32 = the first 32,
#     each padded only to the longest sentence of its batch (the sequence lengths are in the report);
#     DigitCnn: seeded uniform [0, 1) pixels [batch, 1, 8, 8];
#   - "ORT graph": the operators of the graph ORT actually runs (its optimised model) of the pruned model
#     against the dense one's: "same operators" means ORT fused both alike and only shapes differ.
#   A "dense vs dense" row times the dense model against itself: its speed-up is the noise floor; "others / steal"
#   says how much CPU other processes (and other guests of the hypervisor) took while a row was timed.
# Usage: bash bench/structured.sh      (needs jq: apt-get install jq; about 5 minutes on 2 cores)
#        CALIBRATION_SENTENCES=path/to/sentences.txt BENCH_DIR=artifacts/bench bash bench/structured.sh
# Writes $BENCH_DIR/structured.md (default artifacts/bench/structured.md) and prints it; models, reports and
# logs in $BENCH_DIR/structured/. Run it on an otherwise idle machine: the latencies are only as quiet as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_DIR:-artifacts/bench}
runs="$work/structured"
calibration_sentences=${CALIBRATION_SENTENCES:-../shared/reference/sentences.txt}
heldout=bench/data/heldout-sentences.txt
report="$work/structured.md"
runs_batch1=${LATENCY_RUNS_BATCH1:-200}
runs_batch32=${LATENCY_RUNS_BATCH32:-40}
min_seconds=${LATENCY_MIN_SECONDS:-3}
command -v jq >/dev/null || { echo "bench/structured.sh: jq is missing: apt-get install -y jq" >&2; exit 1; }
mkdir -p "$runs"
: >"$runs/latency.tsv"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

model="$work/minilm.onnx"
[ -f "$model" ] || dotnet run --project bench/MiniLmModel -c Release -- "$model"
dotnet build src/Engine -c Release -nodeReuse:false -v:q >/dev/null
dotnet build bench/SentenceEmbeddings -c Release -nodeReuse:false -v:q >/dev/null
dotnet build tests/fixtures/ModelPrune.Fixtures -c Release -nodeReuse:false -v:q >/dev/null
engine="dotnet src/Engine/bin/Release/net8.0/modelprune.dll"
helper="dotnet bench/SentenceEmbeddings/bin/Release/net10.0/SentenceEmbeddings.dll"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

fixtures="$runs/fixtures"
dotnet tests/fixtures/ModelPrune.Fixtures/bin/Release/net10.0/ModelPrune.Fixtures.dll "$fixtures" >"$runs/fixtures.log"
cnn="$fixtures/digit_cnn.onnx"
cnn_accuracy=$(grep -E "^digit_cnn.onnx: held-out accuracy" "$runs/fixtures.log")
echo "$cnn_accuracy"
calibration="$runs/minilm.calib.npz"
calibration_summary=$($helper calibration "$calibration_sentences" "$calibration")
echo "$calibration_summary"

# prune NAME MODEL ARGS...: prunes MODEL to $runs/NAME.onnx; sets seconds (process) and stage_seconds.
prune() {
  local name=$1 source=$2; shift 2
  local output="$runs/$name.onnx" start end
  echo "== $name: modelprune prune $*"
  start=$(date +%s%N)
  $engine prune "$source" -o "$output" --no-cache --device cpu "$@" >"$runs/$name.log" 2>&1 \
    || { cat "$runs/$name.log" >&2; exit 1; }
  end=$(date +%s%N)
  grep -E "^ModelPrune:" "$runs/$name.log" || true
  seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", (e - s) / 1e9 }')
  stage_seconds=$(jq -r '.timings[] | select(.stage == "prune") | .milliseconds' "$runs/$name.prune.run.json" | awk '{ printf "%.1f", $1 / 1000 }')
}

# milliseconds 0.1684 -> 0.168, 2.461 -> 2.46, 49.03 -> 49.0: three significant digits or more.
milliseconds() { awk -v t="$1" 'BEGIN { printf (t < 1 ? "%.3f" : t < 10 ? "%.2f" : "%.1f"), t }'; }

# latency DENSE PRUNED NAME [--sentences FILE]: sets the latency cells (ms, speed-up) at batch 1 and 32, graph, and
# load ("others / steal": the most cores other processes, and other guests of the hypervisor, used during either timing).
latency() {
  local dense=$1 pruned=$2 name=$3; shift 3
  local b1 b32
  b1=$($helper latency "$dense" "$pruned" --batch 1 --runs "$runs_batch1" --min-seconds "$min_seconds" --optimized-graphs "$runs/ort-graphs/$name" --tsv "$@")
  b32=$($helper latency "$dense" "$pruned" --batch 32 --runs "$runs_batch32" --min-seconds "$min_seconds" --tsv "$@")
  printf '%s\t%s\n' "$name" "$b1" "$name" "$b32" >>"$runs/latency.tsv"
  IFS=$'\t' read -r _ sequence1 _ dense1 pruned1 speedup1 lower1 upper1 others1 steal1 graph <<<"$b1"
  IFS=$'\t' read -r _ sequence32 _ dense32 pruned32 speedup32 lower32 upper32 others32 steal32 _ <<<"$b32"
  batch1="$(milliseconds "$dense1") → $(milliseconds "$pruned1")"
  batch32="$(milliseconds "$dense32") → $(milliseconds "$pruned32")"
  load=$(awk -v o1="$others1" -v o32="$others32" -v s1="$steal1" -v s32="$steal32" \
    'BEGIN { if (o1 == "n/a") print "n/a"; else printf "%.2f / %.2f", (o1 > o32 ? o1 : o32), (s1 > s32 ? s1 : s32) }')
  speed1=$(awk -v m="$speedup1" -v l="$lower1" -v u="$upper1" 'BEGIN { printf "**%.2f×** (%.2f–%.2f)", m, l, u }')
  speed32=$(awk -v m="$speedup32" -v l="$lower32" -v u="$upper32" 'BEGIN { printf "**%.2f×** (%.2f–%.2f)", m, l, u }')
}

# thousands 22713268 -> 22,713,268 (printf's ' flag depends on the locale).
thousands() { sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta' <<<"$1"; }

# sizes DENSE PRUNED: sets parameters and size, each "after (change)".
sizes() {
  local dense=$1 pruned=$2 before after bytes_before bytes_after
  before=$($helper parameters "$dense"); after=$($helper parameters "$pruned")
  bytes_before=$(stat -L -c %s "$dense"); bytes_after=$(stat -L -c %s "$pruned")
  parameters="$(thousands "$after") $(awk -v a="$before" -v b="$after" 'BEGIN { printf "(%+.1f%%)", (b - a) * 100 / a }')"
  size=$(awk -v a="$bytes_before" -v b="$bytes_after" 'BEGIN { printf (a > 1048576 ? "%.1f MB" : "%.1f KB"), (a > 1048576 ? b / 1e6 : b / 1e3); printf " (%+.1f%%)", (b - a) * 100 / a }')
}

# kept NAME: the kept units of every pruned group, e.g. "heads 9/12 ×6, neurons 1075/1536 ×6".
kept() {
  jq -r '[.structured.groups[] | select(.status == "pruned") | "\(.kind) \(.unitsKept)/\(.units)"] | join(", ")' "$runs/$1.prune.json"
}

removed() { jq -r '.structured.removedFraction' "$runs/$1.prune.json" | awk '{ printf "%.1f%%", $1 * 100 }'; }

# --- MiniLM -------------------------------------------------------------------------------------------------
minilm_table="$runs/minilm-table.md"
minilm_kept="$runs/minilm-kept.md"
{
  echo "| method | structure | --sparsity | removed | mean cosine | p5 cosine | min cosine | parameters | file | batch 1 ms (dense → pruned) | batch 1 speed-up | batch 32 ms | batch 32 speed-up | ORT graph vs dense | prune s (process) | prune stage s | others / steal (cores) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >"$minilm_table"
: >"$minilm_kept"

compared=$($helper compare "$model" "$model" "$heldout" --tsv)
read -r _ mean p5 min <<<"$compared"
[ "$min" = 1.000000 ] || { echo "bench/structured.sh: dense vs dense gives cosine $min, not 1: the comparison is broken" >&2; exit 1; }
echo "== dense vs dense (latency noise floor)"
latency "$model" "$model" minilm-dense --sentences "$heldout"
minilm_dense_parameters=$($helper parameters "$model")
echo "| dense vs dense (noise) | | | 0% | $mean | $p5 | $min | $(thousands "$minilm_dense_parameters") | $(awk -v b="$(stat -L -c %s "$model")" 'BEGIN { printf "%.1f MB", b / 1e6 }') | $batch1 | $speed1 | $batch32 | $speed32 | $graph | | | $load |" >>"$minilm_table"
tail -n 1 "$minilm_table"

for run in "flap neurons 0.3" "maw neurons 0.3" "flap heads 0.25" "maw heads 0.25" "flap auto 0.3" "maw auto 0.3" "flap neurons 0.3 16"; do
  read -r method structure sparsity multiple <<<"$run"
  name="minilm-$method-$structure"
  args=(--method "$method" --structure "$structure" --sparsity "$sparsity")
  if [ -n "$multiple" ]; then name="$name-x$multiple"; args+=(--unit-multiple "$multiple"); fi
  [ "$method" = flap ] && args+=(--calibration-data "$calibration")
  prune "$name" "$model" "${args[@]}"
  output="$runs/$name.onnx"
  compared=$($helper compare "$model" "$output" "$heldout" --tsv)
  read -r _ mean p5 min <<<"$compared"
  sizes "$model" "$output"
  latency "$model" "$output" "$name" --sentences "$heldout"
  label="$method"; [ -n "$multiple" ] && label="$method, --unit-multiple $multiple"
  echo "| $label | $structure | $sparsity | $(removed "$name") | $mean | $p5 | $min | $parameters | $size | $batch1 | $speed1 | $batch32 | $speed32 | $graph | $seconds | $stage_seconds | $load |" >>"$minilm_table"
  echo "- $label, $structure $sparsity: $(kept "$name")" >>"$minilm_kept"
  tail -n 1 "$minilm_table"
done
minilm_sequences="batch 1: $sequence1 tokens (the first held-out sentence), batch 32: $sequence32 tokens (the first 32, padded to the longest)"

# --- DigitCnn -----------------------------------------------------------------------------------------------
cnn_table="$runs/cnn-table.md"
cnn_kept="$runs/cnn-kept.md"
{
  echo "| method | --sparsity | removed | accuracy (dense → pruned) | parameters | file | batch 1 ms (dense → pruned) | batch 1 speed-up | batch 32 ms | batch 32 speed-up | ORT graph vs dense | prune s (process) | prune stage s | others / steal (cores) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >"$cnn_table"
: >"$cnn_kept"
echo "== DigitCnn dense vs dense (latency noise floor)"
latency "$cnn" "$cnn" cnn-dense
echo "| dense vs dense (noise) | | 0% | | $(thousands "$($helper parameters "$cnn")") | $(awk -v b="$(stat -L -c %s "$cnn")" 'BEGIN { printf "%.1f KB", b / 1e3 }') | $batch1 | $speed1 | $batch32 | $speed32 | $graph | | | $load |" >>"$cnn_table"
tail -n 1 "$cnn_table"

for run in "flap 0.3" "maw 0.3" "flap 0.3 8" "maw 0.3 8" "flap 0.3 16" "maw 0.3 16"; do
  read -r method sparsity multiple <<<"$run"
  name="cnn-$method-filters"
  args=(--method "$method" --structure filters --sparsity "$sparsity" --evaluation "$fixtures/digit_cnn.eval.npz" --evaluation-samples 500)
  if [ -n "$multiple" ]; then name="$name-x$multiple"; args+=(--unit-multiple "$multiple"); fi
  [ "$method" = flap ] && args+=(--calibration-data "$fixtures/digit_cnn.calib.npz")
  prune "$name" "$cnn" "${args[@]}"
  output="$runs/$name.onnx"
  accuracy=$(jq -r '.evaluation.outputs[0] | "\(.accuracyOriginal) \(.accuracyPruned)"' "$runs/$name.prune.json" \
    | awk '{ printf "%.1f%% → %.1f%%", $1 * 100, $2 * 100 }')
  evaluated=$(jq -r '.evaluation.data.samples' "$runs/$name.prune.json")
  sizes "$cnn" "$output"
  latency "$cnn" "$output" "$name"
  label="$method"; [ -n "$multiple" ] && label="$method, --unit-multiple $multiple"
  echo "| $label | $sparsity | $(removed "$name") | $accuracy | $parameters | $size | $batch1 | $speed1 | $batch32 | $speed32 | $graph | $seconds | $stage_seconds | $load |" >>"$cnn_table"
  echo "- $label: $(kept "$name")" >>"$cnn_kept"
  tail -n 1 "$cnn_table"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "# Structured pruning: smaller, faster, and what it costs"
  echo
  echo "Written by \`bash bench/structured.sh\` on $(date -u +%Y-%m-%d) at commit $(git rev-parse --short HEAD), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), ONNX Runtime $(grep -oP 'Microsoft.ML.OnnxRuntime" Version="\K[^"]+' Directory.Packages.props) (CPU)."
  echo "Load average (1, 5, 15 min; the benchmark's own 2 spinning ORT threads count about 2) at the start: $load_before; at the end: $load_after."
  echo
  echo "- removed: share of the prunable parameters the engine removed with whole units (\`structured.removedFraction\`);"
  echo "  parameters: every float initializer/Constant element of the pruned model (change against dense); file: the .onnx."
  echo "- Latency: ONNX Runtime CPU, ORT_ENABLE_ALL, 2 intra-op threads (one pool shared by both sessions), dense and"
  echo "  pruned interleaved in one process; median ms of at least $runs_batch1 (batch 1) / $runs_batch32 (batch 32) timed"
  echo "  rounds and ${min_seconds} s of them, after 5 warm-up rounds (round counts in structured/latency.tsv); speed-up: the"
  echo "  median of the per-round speed-ups (dense / pruned), quartiles in brackets. The dense vs dense row is the noise"
  echo "  floor: on 2 shared cores, a few percent either side of 1.00× is noise."
  echo "- others / steal: CPU that other processes used (/proc/stat less the benchmark's own) and the hypervisor's steal"
  echo "  during the timed rounds, in cores, the larger of the two batch sizes'; more than a few hundredths means the"
  echo "  row was disturbed (the per-round speed-up still pairs neighbouring runs, so it holds up better than the ms)."
  echo "- ORT graph vs dense: operators of the graph ORT runs after its optimisations, pruned against dense."
  echo "- prune s (process): wall time of \`modelprune prune --no-cache --device cpu\` (start-up, read, prune, write, the"
  echo "  engine's own evaluation and latency probe, gzip); prune stage s: its \"prune\" stage alone (scores, calibration, surgery)."
  echo
  echo "## MiniLM (all-MiniLM-L6-v2)"
  echo
  echo "- Calibration (flap): $calibration_summary."
  echo "- Cosine: per held-out sentence (128, bench/data/heldout-sentences.txt), pruned vs dense embedding (mean-pooled, L2-normalised)."
  echo "- Latency inputs: real tokens; $minilm_sequences."
  echo "- ORT graph: with ORT_ENABLE_ALL this export gets LayerNormalization, BiasGelu and FusedMatMul fusions but no"
  echo "  Attention or SkipLayerNormalization, dense or pruned; pruning heads or neurons changes shapes only."
  echo
  cat "$minilm_table"
  echo
  echo "Units kept per pruned group:"
  echo
  cat "$minilm_kept"
  echo
  echo "## DigitCnn (tests/fixtures StructuredFixtures.DigitCnn: conv 1→32 → conv 32→64 → pool → fc 64→10)"
  echo
  echo "- $cnn_accuracy. Accuracy here: the engine's evaluation on the first $evaluated samples of digit_cnn.eval.npz."
  echo "- Calibration (flap): digit_cnn.calib.npz. Latency inputs: seeded uniform [0, 1) pixels [batch, 1, 8, 8]."
  echo "- ORT's NCHWc layout (com.microsoft.nchwc.*, its fastest CPU convolution and pooling) takes a Conv only when its"
  echo "  input channels are fewer than the NCHWc block (16 floats with AVX-512, 8 with AVX2) or a multiple of 4, and a"
  echo "  pooling only when its channels are a multiple of the block; any other node runs in plain NCHW (FusedConv,"
  echo "  GlobalAveragePool) behind a ReorderOutput, which the ORT graph column shows. Only a \`--unit-multiple\` of the"
  echo "  block keeps every pruned width on the NCHWc path."
  echo
  cat "$cnn_table"
  echo
  echo "Units kept per pruned group:"
  echo
  cat "$cnn_kept"
} >"$report"
echo
cat "$report"
