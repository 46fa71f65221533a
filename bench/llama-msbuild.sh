#!/usr/bin/env bash
# The ~4.4 GB LLaMA-layout model (bench/llama.sh makes it) through the MSBuild path: a library project with
# <PruneModel ... Embed="false" />, built three times against a freshly packed ModelPrune.Build:
#   1. first build (prunes; the model is written as a file pair, copied to bin/ with its data file), `-v:n`, so
#      the log shows the engine's progress lines as a user sees them;
#   2. a second build with nothing changed: the PruneModel target must be skipped and the engine not started;
#   3. `dotnet clean`: the pruned files leave bin/ and obj/.
# Usage: LLAMA_DIR=artifacts/bench/llama-large bash bench/llama-msbuild.sh     (~5 min; needs the model generated)
# Writes $BENCH_DIR/llama-msbuild/{build1,build2,clean}.log and prints what each step left.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work=${BENCH_DIR:-$root/artifacts/bench}
model_dir=$(cd "${LLAMA_DIR:-$work/llama-large}" && pwd)
project="$work/llama-msbuild"
packages="$root/artifacts/packages"
version="0.1.0-llama.$(date -u +%Y%m%d%H%M%S)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 NUGET_PACKAGES="$work/llama-msbuild-packages"
[ -f "$model_dir/llama.onnx" ] || { echo "no model in $model_dir: run bash bench/llama.sh roundtrip first" >&2; exit 1; }

dotnet pack "$root/src/Tasks/ModelPrune.Tasks.csproj" -c Release -o "$packages" -p:ModelPruneVersion="$version" \
  --disable-build-servers -nodeReuse:false -v:q -tl:off >/dev/null
rm -rf "$project" "$NUGET_PACKAGES/modelprune.build" && mkdir -p "$project/Models"
# Hard links (a copy on another file system): a symbolic link whose target lies outside the model's folder is refused
# like any external data path that escapes it (MP1007).
for file in llama.onnx llama.onnx.data llama.tokens.npz; do
  ln "$model_dir/$file" "$project/Models/$file" 2>/dev/null || cp "$model_dir/$file" "$project/Models/$file"
done
cat > "$project/nuget.config" <<XML
<configuration><packageSources><clear /><add key="local" value="$packages" /><add key="nuget" value="https://api.nuget.org/v3/index.json" /></packageSources></configuration>
XML
cat > "$project/Directory.Build.props" <<XML
<Project />
XML
cat > "$project/Directory.Packages.props" <<XML
<Project />
XML
cat > "$project/LlamaBench.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="ModelPrune.Build" Version="$version" PrivateAssets="all" />
    <PruneModel Include="Models/llama.onnx" Sparsity="0.5" Embed="false" EvaluationData="Models/llama.tokens.npz"
                EvaluationSamples="2" MeasureLatency="false" Device="cpu" />
  </ItemGroup>
</Project>
XML
cd "$project"
step() { # name, command...
  local name=$1; shift
  local start; start=$(date +%s.%N)
  "$@" > "$project/$name.log" 2>&1 || { echo "$name failed: see $project/$name.log" >&2; tail -n 30 "$project/$name.log" >&2; exit 1; }
  printf '%s: %.1f s\n' "$name" "$(echo "$(date +%s.%N) - $start" | bc)"
}
step build1 dotnet build -v:n -tl:off --disable-build-servers -nodeReuse:false
ls -l bin/Debug/net10.0/llama.onnx* obj/Debug/modelprune/*/llama.onnx* 2>&1 | sed 's/^/  /'
step build2 dotnet build -v:n -tl:off --disable-build-servers -nodeReuse:false
if grep -q "modelprune.dll" build2.log && ! grep -q 'Skipping target "PruneModels"\|Skipping target "_ModelPrune' build2.log; then
  echo "  build2 may have started the engine: see build2.log" >&2
fi
grep -E 'Skipping target "[^"]*(Prune|ModelPrune)[^"]*"' build2.log | head -n 3 | sed 's/^/  /'
echo "  engine progress lines in build2: $(grep -c 'prune layer\|evaluate batch' build2.log || true) (build1: $(grep -c 'prune layer\|evaluate batch' build1.log || true))"
step clean dotnet clean -v:n -tl:off --disable-build-servers -nodeReuse:false
echo "  after clean: $(ls bin/Debug/net10.0/llama.onnx* obj/Debug/modelprune/*/llama.onnx* 2>/dev/null | wc -l) pruned files left"
echo "progress as dotnet build -v:n shows it (build1):"
grep -E 'prune layer|evaluate batch|read |write |ModelPrune:' build1.log | head -n 20 | sed 's/^/  /'
