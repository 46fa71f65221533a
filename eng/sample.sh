#!/usr/bin/env bash
# The README's main command: packs ModelPrune.Build, builds samples/Classifier against the package the
# way a user's project consumes it, prints the pruned model's report and runs the sample.
# Usage: bash eng/sample.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sample="$root/samples/Classifier"
packages="$root/artifacts/packages"
# A package version is extracted once per package folder and reused forever after: every run packs a
# new version and restores into a folder of its own, so the sample always gets the code just built.
version="0.1.0-sample.$(date -u +%Y%m%d%H%M%S)"
sample_packages="$root/artifacts/nuget-packages"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== Packing ModelPrune.Build $version into artifacts/packages"
mkdir -p "$packages"
rm -f "$packages"/ModelPrune.Build.*-sample.*.nupkg
dotnet pack "$root/src/Tasks/ModelPrune.Tasks.csproj" -c Release -o "$packages" \
  -p:ModelPruneVersion="$version" --disable-build-servers -nodeReuse:false -v:minimal -tl:off

echo
echo "== Building samples/Classifier (prunes Models/classifier.onnx)"
# Earlier sample versions are of no further use; the folder is this script's alone.
rm -rf "$sample_packages/modelprune.build"
NUGET_PACKAGES="$sample_packages" dotnet build "$sample/Classifier.csproj" \
  -p:ModelPruneBuildVersion="$version" --disable-build-servers -nodeReuse:false -tl:off

echo
echo "== Report: $(cd "$sample" && ls obj/Debug/modelprune/*/classifier.prune.md)"
cat "$sample"/obj/Debug/modelprune/*/classifier.prune.md

echo
echo "== Running the sample (PrunedModels.Classifier: the embedded pruned model in ONNX Runtime, and its typed report)"
dotnet "$sample/bin/Debug/net10.0/Classifier.dll"
