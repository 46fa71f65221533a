#!/usr/bin/env bash
# Quantized MiniLM (all-MiniLM-L6-v2 from NuGet), end to end: file size raw and gzip, and the sentence-embedding
# cosine to the dense model on 128 held-out sentences (bench/data/heldout-sentences.txt, not in the calibration set),
# for int8 and int4 (RTN and GPTQ) alone and after 50% pruning (wanda, sparsegpt), int8 with dynamic activation
# quantization, plus the engine's process time and ONNX Runtime's CPU latency against the dense model at batch 8
# (8 held-out sentences, both models interleaved in one process, 2 threads; bench/SentenceEmbeddings latency).
# Calibration: 64 sentences as bench/sentences.sh tokenizes them. Usage: bash bench/quantize.sh
# Writes $BENCH_DIR/quantize.md (default artifacts/bench/quantize.md).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_DIR:-artifacts/bench}
runs="$work/quantize"
mkdir -p "$runs"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
model="$work/minilm.onnx"
[ -f "$model" ] || dotnet run --project bench/MiniLmModel -c Release -- "$model"
dotnet build src/Engine -c Release -nodeReuse:false -v:q >/dev/null
dotnet build bench/SentenceEmbeddings -c Release -nodeReuse:false -v:q >/dev/null
engine="dotnet src/Engine/bin/Release/net8.0/modelprune.dll"
helper="dotnet bench/SentenceEmbeddings/bin/Release/net10.0/SentenceEmbeddings.dll"
calibration="$runs/calibration.npz"
$helper calibration "${CALIBRATION_SENTENCES:-../shared/reference/sentences.txt}" "$calibration" >/dev/null
bytes=$(stat -c %s "$model")
gzip_bytes=$(gzip -c "$model" | wc -c)
report="$work/quantize.md"
{
  echo "MiniLM: $bytes bytes, $gzip_bytes gzip. Cosine: mean / p5 / min over 128 held-out sentences."
  echo
  echo "| run | bytes | % of dense | gzip | mean cosine | p5 | min | process s | speed-up b8 |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >"$report"
run() {
  local name=$1; shift
  local output="$runs/$name.onnx"
  local start=$(date +%s.%N)
  $engine prune "$model" -o "$output" --dimensions "batch=8;sequence=32" --no-cache --measure-latency false "$@" >"$runs/$name.log" 2>&1 \
    || { cat "$runs/$name.log" >&2; exit 1; }
  local seconds=$(echo "$(date +%s.%N) - $start" | bc)
  grep -E "^ModelPrune:" "$runs/$name.log" || true
  local size=$(stat -c %s "$output")
  local gz=$(gzip -c "$output" | wc -c)
  read -r _ mean p5 min <<<"$($helper compare "$model" "$output" bench/data/heldout-sentences.txt --tsv)"
  # Dense time over this model's, the median of interleaved rounds (above 1: faster than dense).
  local speedup=$($helper latency "$model" "$output" --batch 8 --runs 30 --sentences bench/data/heldout-sentences.txt --tsv | cut -f6)
  printf "| %s | %d | %.1f%% | %d | %s | %s | %s | %.0f | %sx |\n" "$name" "$size" "$(echo "100 * $size / $bytes" | bc -l)" "$gz" "$mean" "$p5" "$min" "$seconds" "$speedup" >>"$report"
}
calib=(--calibration-data "$calibration" --calibration-samples 64)
run int8-rtn --sparsity 0 --quantize int8
run int8-gptq --sparsity 0 --quantize int8 "${calib[@]}"
run int8-dynamic-gptq --sparsity 0 --quantize-activations dynamic "${calib[@]}"
run int4-rtn-g32 --sparsity 0 --quantize int4
run int4-gptq-g32 --sparsity 0 --quantize int4 "${calib[@]}"
run int4-gptq-g128 --sparsity 0 --quantize int4 --quant-group-size 128 "${calib[@]}"
run sparsegpt50 --method sparsegpt --sparsity 0.5 "${calib[@]}"
run sparsegpt50-int4-gptq --method sparsegpt --sparsity 0.5 --quantize int4 "${calib[@]}"
run wanda50-int4-gptq --method wanda --sparsity 0.5 --quantize int4 "${calib[@]}"
cat "$report"
