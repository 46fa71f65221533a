#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line: "N passed, N failed".
# Usage: bash eng/test.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "eng/test.sh: the .NET SDK (dotnet) is not on PATH; install .NET SDK 10 (see README.md)." >&2
  echo "0 passed, 1 failed"
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The HTML report test renders a report in headless Chromium; Debian's package is installed where we may.
# Without it that one test reports itself skipped.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "eng/test.sh: installing Debian's chromium for the HTML report render test"
  # Bounded: an unreachable package mirror must not eat the CI time limit.
  { DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq chromium \
    || { timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq chromium; }; } >/dev/null 2>&1 \
    || echo "eng/test.sh: could not install chromium; the HTML render test will be skipped" >&2
fi
log=$(mktemp)
dotnet build ModelPrune.Build.sln -c Release -nodeReuse:false 2>&1 | tail -n 3
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  dotnet build ModelPrune.Build.sln -c Release -nodeReuse:false 2>&1 | grep -E "error|warn" | sort -u | head -n 40
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test ModelPrune.Build.sln -c Release --no-build -nodeReuse:false "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one "Passed!/Failed!  - Failed: N, Passed: N, Skipped: N, ..." line per project.
read -r passed failed < <(sed -nE 's/.*Failed: *([0-9]+), *Passed: *([0-9]+).*/\2 \1/p' "$log" \
  | awk '{p+=$1; f+=$2} END {print p+0, f+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ]
