#!/usr/bin/env bash
# Quantize="auto" (issue 12) on MiniLM (all-MiniLM-L6-v2): GPTQ with 64 calibration sentences, the embedding cosine on
# 64 held-out sentences the calibration never sees, at Sparsity 0 and at sparsegpt 50%. For each target: what the
# search chose (layers per precision, bits per weight, file size), its probes and wall time, against the uniform
# int4 and int8 probes it started from.
# Usage: bash bench/quantize-auto.sh        BENCH_DIR=artifacts/bench  DROPS="0.01 0.005"
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_DIR:-artifacts/bench}/quantize-auto
mkdir -p "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Engine -c Release -nodeReuse:false -v:q >/dev/null
engine="dotnet src/Engine/bin/Release/net8.0/modelprune.dll"
minilm=${BENCH_DIR:-artifacts/bench}/minilm.onnx
[ -f "$minilm" ] || dotnet run --project bench/MiniLmModel -c Release -- "$minilm"
dotnet build bench/SentenceEmbeddings -c Release -nodeReuse:false -v:q >/dev/null
helper="dotnet bench/SentenceEmbeddings/bin/Release/net10.0/SentenceEmbeddings.dll"
sentences=${CALIBRATION_SENTENCES:-../shared/reference/sentences.txt}
if [ ! -f "$sentences" ]; then head -n 64 bench/data/heldout-sentences.txt >"$work/calibration-sentences.txt"; sentences="$work/calibration-sentences.txt"; fi
tail -n 64 bench/data/heldout-sentences.txt >"$work/evaluation-sentences.txt"
$helper calibration "$sentences" "$work/calibration.npz"
$helper calibration "$work/evaluation-sentences.txt" "$work/evaluation.npz"

timed() { local start end; start=$(date +%s.%N); "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log"; return 1; }; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }'; }
summary() { python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["search"]
q = r.get("quantization") or {}
print(f"  chosen: {r['output']['bytes']:,} bytes ({r['output']['bytes'] / r['input']['bytes']:.1%} of the original), {q.get('bitsPerWeight')} bits per weight,"
      f" cosine {s['chosenValue']} (allowed drop {s['allowedDrop']}), {s['probes']}/{s['budget']} probes, statistics passes {s['statisticsPasses']}")
print(f"  given back: {len(s['restoredLayers'])} layer(s): {', '.join(s['restoredLayers'][:8])}{' ...' if len(s['restoredLayers']) > 8 else ''}")
print(f"  stopped: {s['stopReason']}")
for p in s["trace"]:
    print(f"  probe {p['index']:>2} {p['phase']:<11} {p.get('bitsPerWeight', 'float')!s:>6} bits {p['bytes']:>11,} bytes cosine {p['metric']:<9} {'kept' if p['keepsTarget'] else 'broken'}  {','.join(p['layers'][:3])}{' ...' if len(p['layers']) > 3 else ''}")
ranked = [l for l in s["sensitivity"]][:6]
if ranked:
    kind = "metric" if "metric" in ranked[0] else "proxy error"
    print(f"  most sensitive ({kind}): " + ", ".join(f"{l['layer']} ({l.get('worsening', l.get('quantizationError'))})" for l in ranked))
PY
}

for sparsity in 0 0.5; do
  method=magnitude; [ "$sparsity" = 0 ] || method=sparsegpt
  for drop in ${DROPS:-0.01 0.005}; do
    echo "== MiniLM, $method Sparsity=$sparsity, Quantize=auto, MaxMetricDrop=$drop (cosine >= $(awk -v d="$drop" 'BEGIN { print 1 - d }'))"
    out="$work/s$sparsity-d$drop/minilm.onnx"
    t=$(timed $engine prune "$minilm" -o "$out" --method $method --sparsity $sparsity --quantize auto --calibration-data "$work/calibration.npz" \
      --evaluation "$work/evaluation.npz" --max-metric-drop "$drop" --no-cache --measure-latency false)
    grep "ModelPrune:" "$work/last.log"
    echo "  wall time ${t}s"
    summary "${out%.onnx}.prune.json"
  done
done
