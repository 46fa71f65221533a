#!/usr/bin/env bash
# Checks the engine's GPU path on a machine with an NVIDIA GPU but no .NET SDK and no NuGet (see DEVELOPERS.md).
#
#   bash eng/device-check.sh prepare            # here, with the SDK: writes artifacts/device/{engine,ort-gpu}.tar.xz
#   bash eng/device-check.sh run [engine] [ort] # there: prunes with --device cuda and prints the device that ran
# engine and ort are folders or the .tar.xz archives prepare wrote (the default); archives are unpacked first.
#
# prepare: a self-contained linux-x64 publish of src/Engine (no .NET needed there) and the GPU build of ONNX
# Runtime from the NuGet package folder (restored with ModelPrune.OnnxRuntimeGpu.proj if missing). Set
# ORT_GPU_FILES to choose which of its files to copy (default: all; see DEVELOPERS.md about the 64 MiB carry).
# run: exit 0 when every --device cuda run succeeded and recorded "cuda".
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
version=1.31.0

if [ "$mode" = prepare ]; then
  set -e
  out=artifacts/device
  rm -rf "$out" && mkdir -p "$out/ort-gpu"
  dotnet publish src/Engine -c Release -r linux-x64 --self-contained -p:UseAppHost=true \
    -p:PublishDir="$PWD/$out/engine/" -nodeReuse:false | tail -n 1
  # The RID-specific restore above must not linger for the next plain build.
  dotnet restore src/Engine -nodeReuse:false >/dev/null
  packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
  native="$packages/microsoft.ml.onnxruntime.gpu.linux/$version/runtimes/linux-x64/native"
  if [ ! -f "$native/libonnxruntime.so" ]; then
    helper=$(mktemp -d)/ModelPrune.OnnxRuntimeGpu.csproj
    cp build/ModelPrune.OnnxRuntimeGpu.proj "$helper"
    dotnet restore "$helper" -p:ModelPruneOnnxRuntimeGpuPackage=Microsoft.ML.OnnxRuntime.Gpu.Linux \
      -p:ModelPruneOnnxRuntimeGpuVersion=$version -p:RestorePackagesPath="$packages" -nodeReuse:false | tail -n 1
  fi
  for file in ${ORT_GPU_FILES:-$(cd "$native" && ls)}; do cp "$native/$file" "$out/ort-gpu/"; done
  for part in engine ort-gpu; do tar -C "$out/$part" -cJf "$out/$part.tar.xz" . && rm -rf "${out:?}/$part"; done
  ls -l "$out"
  exit 0
fi

engine=${2:-artifacts/device/engine.tar.xz}
ort=${3:-artifacts/device/ort-gpu.tar.xz}
work=${OUT:-$(mktemp -d)}
unpack() { if [ -f "$1" ]; then mkdir -p "$work/$2" && tar -C "$work/$2" -xJf "$1" && echo "$work/$2"; else echo "$1"; fi; }
engine=$(unpack "$engine" engine) && ort=$(unpack "$ort" ort-gpu) || exit 1
echo "== machine"
command -v nvidia-smi >/dev/null && nvidia-smi -L || echo "nvidia-smi: not found"
ldconfig -p 2>/dev/null | grep -oE 'lib(cudart|cublasLt|cudnn)\.so\.[0-9]+' | sort -u | tr '\n' ' '; echo
ls "$ort"
failed=0
# flap: structured pruning (shape probe, channel statistics and the evaluation on the device).
for method in wanda sparsegpt flap; do
  for device in cuda auto; do
    dir="$work/$method-$device"
    echo "== $method --device $device"
    "$engine/modelprune" prune samples/Classifier/Models/classifier.onnx -o "$dir/classifier.onnx" --no-cache \
      --method "$method" --calibration-data synthetic --calibration-samples 256 \
      --device "$device" --onnxruntime-native-dir "$ort"
    status=$?
    ran=$( [ -f "$dir/classifier.prune.run.json" ] && grep -o '"device": *"[^"]*"' "$dir/classifier.prune.run.json" || echo '"device": none')
    echo "exit $status, $ran"
    if [ "$device" = cuda ] && { [ $status -ne 0 ] || [[ "$ran" != *'"cuda"'* ]]; }; then failed=1; fi
  done
done
echo "device check: $([ $failed -eq 0 ] && echo passed || echo failed)"
exit $failed
