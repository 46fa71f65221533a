#!/usr/bin/env bash
# Sparsity="auto" (issue 12) measured on three models; every number of the closing note comes from here.
#   1. samples/Classifier (trained MLP, 200 labelled held-out digits), magnitude, MaxMetricDrop=0.01 (one point of
#      accuracy): chosen sparsity, probes, wall time, and a fixed-sparsity build at chosen + 5 points, which must
#      break the target (so the search did not stop early).
#   2. The DigitCnn fixture (conv, trained), wanda with its calibration set, 500 labelled held-out digits: uniform 30%
#      against a 1-point target, then what the search finds and which layers it kept at a lower sparsity.
#   3. MiniLM (all-MiniLM-L6-v2), sparsegpt, cosine target 0.98 (MaxMetricDrop=0.02 on the embedding cosine) on the
#      64 held-out sentences, against the best uniform sparsity meeting it (the global phase's answer), and
#      the search's wall time as a multiple of one prune. Skipped with SKIP_MINILM=1.
# Usage: bash bench/search.sh        BENCH_DIR=artifacts/bench bash bench/search.sh        SKIP_MINILM=1 / MINILM_BUDGET=16
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_DIR:-artifacts/bench}/search
mkdir -p "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Engine -c Release -nodeReuse:false -v:q >/dev/null
engine="dotnet src/Engine/bin/Release/net8.0/modelprune.dll"

# Wall time of one engine process in seconds.
timed() { local start end; start=$(date +%s.%N); "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log"; return 1; }; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'; }
# A field of a report, with python (json) for readability.
field() { python3 -c "import json,sys; r=json.load(open('$1')); print(eval(sys.argv[1]))" "$2"; }
summary() { python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r.get("search")
o = r["evaluation"]["outputs"][0]
if s is None:
    print(f"  fixed: {r['totals']['prunableSparsity']:.4f} sparse, {o.get('accuracyOriginal')} -> {o.get('accuracyPruned')} (top-1 agreement {o.get('top1Agreement')})")
    sys.exit()
print(f"  chosen {s['chosenSparsity']:.4f} sparse, {s['metric']} {s['originalValue']} -> {s['chosenValue']} (allowed drop {s['allowedDrop']}), {s['probes']}/{s['budget']} probes, statistics passes {s['statisticsPasses']}")
print(f"  restored: {s['restoredLayers'] or 'none'}")
print(f"  stopped: {s['stopReason']}")
for l in s["sensitivity"]:
    print(f"  sensitivity {l['layer']:<16} {l['parameters']:>7} params: {l['metric']} (fall {l['worsening']})")
for p in s["trace"]:
    print(f"  probe {p['index']:>2} {p['phase']:<11} {p['achievedSparsity']:.4f} {','.join(p['layers']):<40} {p['metric']} {'kept' if p['keepsTarget'] else 'broken'}")
PY
}

echo "== 1. samples/Classifier, magnitude, Sparsity=auto MaxMetricDrop=0.01"
model=samples/Classifier/Models/classifier.onnx eval=samples/Classifier/Models/classifier.eval.npz
t=$(timed $engine prune $model -o "$work/classifier/auto.onnx" --sparsity auto --max-metric-drop 0.01 --evaluation $eval --no-cache --measure-latency false)
grep "ModelPrune:" "$work/last.log"
echo "  wall time ${t}s (whole process); search stage $(field "$work/classifier/auto.prune.run.json" "[s['milliseconds'] for s in r['timings'] if s['stage']=='search'][0]") ms"
summary "$work/classifier/auto.prune.json"
plus5=$(python3 -c "import json; print(round(json.load(open('$work/classifier/auto.prune.json'))['settings']['sparsity'] + 0.05, 4))")
$engine prune $model -o "$work/classifier/plus5.onnx" --sparsity "$plus5" --evaluation $eval --no-cache --measure-latency false | grep "ModelPrune:"
echo "  chosen + 5 points ($plus5): drop $(field "$work/classifier/plus5.prune.json" "round(r['evaluation']['outputs'][0]['accuracyOriginal'] - r['evaluation']['outputs'][0]['accuracyPruned'], 6)") (target: at most 0.01)"

echo "== 2. DigitCnn (conv), wanda, 1-point target"
fixtures="$work/fixtures"
[ -f "$fixtures/digit_cnn.onnx" ] || dotnet run --project tests/fixtures/ModelPrune.Fixtures -c Release -- "$fixtures" >/dev/null
cnn="$fixtures/digit_cnn.onnx" calib="$fixtures/digit_cnn.calib.npz" cnneval="$fixtures/digit_cnn.eval.npz"
$engine prune "$cnn" -o "$work/cnn/uniform30.onnx" --method wanda --calibration-data "$calib" --sparsity 0.3 --evaluation "$cnneval" --no-cache --measure-latency false | grep "ModelPrune:"
summary "$work/cnn/uniform30.prune.json"
t=$(timed $engine prune "$cnn" -o "$work/cnn/auto.onnx" --method wanda --calibration-data "$calib" --sparsity auto --max-metric-drop 0.01 --evaluation "$cnneval" --no-cache --measure-latency false)
grep "ModelPrune:" "$work/last.log"
echo "  wall time ${t}s"
summary "$work/cnn/auto.prune.json"

[ "${SKIP_MINILM:-0}" = 1 ] && exit 0
echo "== 3. MiniLM, sparsegpt, cosine target 0.98 on 64 held-out sentences"
minilm=${BENCH_DIR:-artifacts/bench}/minilm.onnx
[ -f "$minilm" ] || dotnet run --project bench/MiniLmModel -c Release -- "$minilm"
dotnet build bench/SentenceEmbeddings -c Release -nodeReuse:false -v:q >/dev/null
helper="dotnet bench/SentenceEmbeddings/bin/Release/net10.0/SentenceEmbeddings.dll"
# Calibration: 64 sentences (default ../shared/reference/sentences.txt, else the first 64 of bench/data/heldout-sentences.txt);
# evaluation: the last 64 held-out sentences, which the calibration never sees.
sentences=${CALIBRATION_SENTENCES:-../shared/reference/sentences.txt}
if [ ! -f "$sentences" ]; then head -n 64 bench/data/heldout-sentences.txt >"$work/calibration-sentences.txt"; sentences="$work/calibration-sentences.txt"; fi
tail -n 64 bench/data/heldout-sentences.txt >"$work/evaluation-sentences.txt"
$helper calibration "$sentences" "$work/minilm-calibration.npz"
$helper calibration "$work/evaluation-sentences.txt" "$work/minilm-evaluation.npz"
one=$(timed $engine prune "$minilm" -o "$work/minilm/fixed50.onnx" --method sparsegpt --calibration-data "$work/minilm-calibration.npz" --sparsity 0.5 --evaluation "$work/minilm-evaluation.npz" --no-cache --measure-latency false)
echo "  one prune (sparsegpt 50%, with evaluation): ${one}s"
t=$(timed $engine prune "$minilm" -o "$work/minilm/auto.onnx" --method sparsegpt --calibration-data "$work/minilm-calibration.npz" --sparsity auto --max-metric-drop 0.02 --search-budget "${MINILM_BUDGET:-16}" --evaluation "$work/minilm-evaluation.npz" --no-cache --measure-latency false)
grep "ModelPrune:" "$work/last.log"
echo "  search wall time ${t}s = $(awk -v a="$t" -v b="$one" 'BEGIN { printf "%.1f", a / b }')x one prune"
summary "$work/minilm/auto.prune.json"
