#!/usr/bin/env bash
# GPU check for instance_group placement (README, "GPU"): serves bench/models/mlp_heavy
# with kind cpu and kind gpu from one gateway, compares their outputs within a tolerance
# and prints CPU vs GPU latency (bench/gpu-check.ts does that part).
#
#   bench/gpu-check.sh             on a machine with an NVIDIA GPU
#   bench/gpu-check.sh --cpu-only  on a machine without one: the script itself, the
#                                  kind gpu failure and the kind auto fallback
#
# What the GPU run needs; each is checked below and a missing one is named:
#   1. An NVIDIA GPU and its driver (nvidia-smi -L lists it), recent enough for CUDA 12.
#   2. node_modules installed (npm ci). Only onnxruntime-node's CUDA provider is added here:
#      - with network: onnxruntime-node's own install script, ONNXRUNTIME_NODE_INSTALL=cuda12
#        (downloads Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0 from api.nuget.org);
#      - offline: ORT_GPU_NUPKG=<that .nupkg, fetched elsewhere>, unpacked here.
#   3. CUDA 12 and cuDNN 9 runtime libraries on the library path: libcudart.so.12,
#      libcublas.so.12, libcublasLt.so.12, libcufft.so.11, libcudnn.so.9. System packages,
#      or NVIDIA's pip wheels (nvidia-cuda-runtime-cu12, nvidia-cublas-cu12, nvidia-cufft-cu12,
#      nvidia-cudnn-cu12, which PyTorch installs): their lib folders are added to
#      LD_LIBRARY_PATH when python3 can import them.
#   (TensorRT is used when libnvinfer.so.10 is on the library path too; optional.)
#
# Exit status: 0 passed; 1 a check failed; 2 the GPU version did not load; 3 a prerequisite is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=gpu
[[ "${1:-}" == "--cpu-only" ]] && mode=cpu-only

say() { printf '%s\n' "$*"; }
has_lib() {
  local dir
  local path="${LD_LIBRARY_PATH:-}"
  for dir in ${path//:/ }; do [[ -e "$dir/$1" ]] && return 0; done
  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true; } | grep -q "$1"
}

say "== gpu-check ($mode) on $(uname -m), node $(node --version)"
[[ -d node_modules/onnxruntime-node ]] || { say "MISSING node_modules: run npm ci first"; exit 3; }

# 1. The GPU and its driver.
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi -L || true
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
else
  say "nvidia-smi: not on PATH"
  [[ $mode == gpu ]] && { say "MISSING an NVIDIA GPU and driver (use --cpu-only on a machine without one)"; exit 3; }
fi
say "CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES-<unset>}"

# 2. onnxruntime-node's CUDA provider, beside its binding.
binding_dir=$(node -p "require('path').join(require('path').dirname(require.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch)")
provider_installed() { [[ -e "$binding_dir/libonnxruntime_providers_cuda.so" && -e "$binding_dir/libonnxruntime_providers_shared.so" ]]; }
if [[ $mode == gpu ]] && ! provider_installed; then
  if [[ -n "${ORT_GPU_NUPKG:-}" ]]; then
    say "unpacking the CUDA and TensorRT providers from $ORT_GPU_NUPKG"
    ORT_GPU_NUPKG="$ORT_GPU_NUPKG" BINDING_DIR="$binding_dir" node -e "
      const AdmZip = require(require.resolve('adm-zip', { paths: [require.resolve('onnxruntime-node')] }));
      const zip = new AdmZip(process.env.ORT_GPU_NUPKG);
      for (const p of ['cuda', 'shared', 'tensorrt']) {
        const entry = zip.getEntry('runtimes/linux-x64/native/libonnxruntime_providers_' + p + '.so');
        if (!entry) throw new Error('not in the package: libonnxruntime_providers_' + p + '.so');
        zip.extractEntryTo(entry, process.env.BINDING_DIR, false, true);
      }"
  else
    say "installing onnxruntime-node's CUDA provider (ONNXRUNTIME_NODE_INSTALL=cuda12; needs api.nuget.org)"
    (cd node_modules/onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js) \
      || { say "MISSING onnxruntime-node's CUDA provider: no network? fetch microsoft.ml.onnxruntime.gpu.linux.1.30.0.nupkg elsewhere and set ORT_GPU_NUPKG"; exit 3; }
  fi
fi
provider_installed && say "onnxruntime-node CUDA provider: installed" || say "onnxruntime-node CUDA provider: not installed"

# 3. CUDA 12 and cuDNN 9: NVIDIA's pip wheels, when present, go on the library path.
wheel_libs=$(python3 -c 'import nvidia, glob, os; print(":".join(d for p in nvidia.__path__ for d in sorted(glob.glob(os.path.join(p, "*", "lib")))))' 2>/dev/null || true)
[[ -n "$wheel_libs" ]] && export LD_LIBRARY_PATH="$wheel_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" && say "added NVIDIA wheel libraries to LD_LIBRARY_PATH"
missing=()
for lib in libcudart.so.12 libcublas.so.12 libcublasLt.so.12 libcufft.so.11 libcudnn.so.9; do
  has_lib "$lib" || missing+=("$lib")
done
has_lib libnvinfer.so.10 && say "TensorRT runtime: found (TensorRT is tried before CUDA)" || say "TensorRT runtime: not found (CUDA only)"
if (( ${#missing[@]} > 0 )); then
  say "MISSING on the library path: ${missing[*]} (the GPU session will fail and say so)"
fi

# 4. Serve, compare, measure.
args=()
[[ $mode == cpu-only ]] && args+=(--cpu-only)
exec timeout 540 node --import tsx bench/gpu-check.ts "${args[@]}"
