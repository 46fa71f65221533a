#!/usr/bin/env bash
# What a no-op `dotnet build` of the sample pays for its PruneModel item: the sample as it is against
# the same project without the item (same package reference), both already built once, measured with
# hyperfine; plus MSBuild's own per-target times of the ModelPrune targets in a no-op build.
# Usage: bash bench/build.sh        (needs hyperfine: apt-get install hyperfine)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/artifacts/bench/build"
version="0.1.0-bench.$(date -u +%Y%m%d%H%M%S)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NUGET_PACKAGES="$work/nuget-packages" MODELPRUNE_CACHE_DIR="$work/cache"
rm -rf "$work" && mkdir -p "$work/feed"
dotnet pack "$root/src/Tasks/ModelPrune.Tasks.csproj" -c Release -o "$work/feed" -p:ModelPruneVersion="$version" -nodeReuse:false -v:q -tl:off >/dev/null

for variant in with without; do
  mkdir -p "$work/$variant"
  cp -r "$root/samples/Classifier/." "$work/$variant/"
  rm -rf "$work/$variant/bin" "$work/$variant/obj"
  printf '<Project />\n' > "$work/$variant/Directory.Build.props"
  printf '<Project />\n' > "$work/$variant/Directory.Packages.props"
  cat > "$work/$variant/nuget.config" <<XML
<configuration><packageSources><clear /><add key="bench" value="$work/feed" /><add key="nuget.org" value="https://api.nuget.org/v3/index.json" /></packageSources></configuration>
XML
  # The sample's code uses the generated PrunedModels class, which the project without the item lacks; both
  # variants get the same trivial program, so only the targets differ (accessor generation still runs in "with").
  printf 'System.Console.WriteLine("bench");\n' > "$work/$variant/Program.cs"
  if [ "$variant" = without ]; then sed -i '/<PruneModel /d' "$work/$variant/Classifier.csproj"; fi
  dotnet build "$work/$variant/Classifier.csproj" -p:ModelPruneBuildVersion="$version" -nodeReuse:false -v:q -tl:off >/dev/null
done

hyperfine --warmup 2 --runs 10 --export-markdown "$work/noop.md" \
  -n "no-op build, with PruneModel" "dotnet build $work/with/Classifier.csproj --no-restore -p:ModelPruneBuildVersion=$version -nodeReuse:false -v:q -tl:off" \
  -n "no-op build, without" "dotnet build $work/without/Classifier.csproj --no-restore -p:ModelPruneBuildVersion=$version -nodeReuse:false -v:q -tl:off"

echo "ModelPrune targets in a no-op build (MSBuild performance summary):"
dotnet build "$work/with/Classifier.csproj" --no-restore -p:ModelPruneBuildVersion="$version" -nodeReuse:false -tl:off -clp:PerformanceSummary \
  | grep -E "ms +(_?ModelPrune[A-Za-z]*)|PruneModels" || true
# grep -c exits 1 when it counts 0, which is the expected answer here.
runs=$(dotnet build "$work/with/Classifier.csproj" --no-restore -p:ModelPruneBuildVersion="$version" -nodeReuse:false -tl:off | grep -c "ModelPrune:" || true)
echo "summary lines printed by a no-op build (engine runs): $runs"
