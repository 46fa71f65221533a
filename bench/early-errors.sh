#!/usr/bin/env bash
# Early-error exits under load: runs the engine N times (default 500) across errors found before ONNX Runtime's
# first real use (missing model, bad sparsity, method, pattern, device, output = input), with every other core kept
# busy, and counts exit codes. Every run must exit 1 with its code; 134/139 are native crashes (issue 13, section 1).
# Usage: bash bench/early-errors.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-500}
dotnet build src/Engine -c Release -nodeReuse:false -v:q -tl:off >/dev/null
engine=src/Engine/bin/Release/net8.0/modelprune.dll
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
model=samples/Classifier/Models/classifier.onnx
cases=(
  "MP1001|prune $work/missing.onnx -o $work/out/a.onnx"
  "MP1003|prune $model -o $work/out/b.onnx --sparsity lots"
  "MP1004|prune $model -o $work/out/c.onnx --method best"
  "MP1005|prune $model -o $work/out/d.onnx --pattern 5:3"
  "MP1014|prune $model -o $model"
  "MP1046|prune $model -o $work/out/e.onnx --device tpu"
)
for _ in $(seq $(( $(nproc) - 1 > 0 ? $(nproc) - 1 : 1 ))); do (while :; do :; done) & done
declare -A exits
wrong=0
for i in $(seq "$runs"); do
  entry=${cases[$(( (i - 1) % ${#cases[@]} ))]}
  code=${entry%%|*}
  set +e
  # shellcheck disable=SC2086
  output=$(dotnet "$engine" ${entry#*|} 2>&1)
  status=$?
  set -e
  exits[$status]=$(( ${exits[$status]:-0} + 1 ))
  if [ "$status" -ne 1 ] || [[ "$output" != *"error $code:"* ]]; then wrong=$((wrong + 1)); fi
done
echo "runs: $runs (${#cases[@]} error cases, $(( $(nproc) - 1 )) busy core(s))"
for status in "${!exits[@]}"; do echo "exit $status: ${exits[$status]}"; done
echo "runs without exit 1 and their code: $wrong"
[ "$wrong" -eq 0 ]
