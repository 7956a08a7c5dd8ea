#!/usr/bin/env bash
# Verifies the webgpu backend on an NVIDIA GPU machine that has no Node.js and reaches
# no registry, from the bundle made here by scripts/gpu/make-bundle.sh, and writes every
# figure and log under $OUT (default ./gpu-results), with a summary in $OUT/summary.md.
#
#   bash scripts/gpu/verify-webgpu.sh          # from the repository root, gpu-bundle.tar.xz beside it
#
# Steps (each one's log is kept; a failing step does not stop the later ones):
#   0. the GPU (nvidia-smi), the NVIDIA Vulkan driver (an ICD manifest, or one written
#      for libGLX_nvidia.so.0), and the adapter Dawn picks;
#   1. equivalence: training steps of the MLP and CNN on webgpu against cpu, and every
#      kernel's coverage (vitest, RINGTRAIN_REQUIRE_WEBGPU=1: no adapter is a failure);
#   2. per-kernel GPU profile of a CNN and an MLP step at batch 128 (kernel-profile.js);
#   3. training-step time at batch 128, ours on webgpu (compute-step.js) beside PyTorch on
#      the same GPU (torch_cuda_step.py);
#   4. a 2-worker `ringtrain train --backend webgpu` (CNN, 1 epoch), with its run summary.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
OUT=${OUT:-$ROOT/gpu-results}
mkdir -p "$OUT"
SUMMARY="$OUT/summary.md"
: >"$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }

# --- the bundle: node, node_modules, dist, libvulkan.so.1
if [ ! -d gpu-bundle ]; then
  [ -f gpu-bundle.tar.xz ] || { say "no gpu-bundle.tar.xz: run scripts/gpu/make-bundle.sh on a machine with Node and the registry, and carry the file"; exit 1; }
  tar -xJf gpu-bundle.tar.xz
fi
export PATH="$ROOT/gpu-bundle/bin:$PATH"
export LD_LIBRARY_PATH="$ROOT/gpu-bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
[ -e node_modules ] || ln -s gpu-bundle/node_modules node_modules
# copied, not linked: Node resolves a linked script to its real path, and dist/ finds configs/ beside it
[ -e dist ] || cp -a gpu-bundle/dist dist
say "# webgpu verification, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
say ""
say "- bundle: $(tr '\n' ';' <gpu-bundle/MANIFEST)"

# --- 0. the GPU and its Vulkan driver
nvidia-smi -L >"$OUT/nvidia-smi.txt" 2>&1; nvidia-smi >>"$OUT/nvidia-smi.txt" 2>&1
say "- GPUs: $(grep -c '^GPU ' "$OUT/nvidia-smi.txt") ($(grep -m1 '^GPU ' "$OUT/nvidia-smi.txt"))"
ICD=""
for f in /etc/vulkan/icd.d/nvidia_icd*.json /usr/share/vulkan/icd.d/nvidia_icd*.json; do [ -f "$f" ] && ICD=$f && break; done
if [ -z "$ICD" ]; then
  # containers often get the driver's Vulkan library without its manifest; it is libGLX_nvidia.so.0
  if ldconfig -p | grep -q 'libGLX_nvidia.so.0'; then
    ICD="$OUT/nvidia_icd.json"
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\n' >"$ICD"
    say "- NVIDIA Vulkan ICD: no manifest installed; wrote $ICD for libGLX_nvidia.so.0"
  else
    say "- NVIDIA Vulkan ICD: none (no nvidia_icd.json, no libGLX_nvidia.so.0): this host's driver has no Vulkan part (in a container: NVIDIA_DRIVER_CAPABILITIES needs 'graphics'), so Dawn can find no adapter"
  fi
else
  say "- NVIDIA Vulkan ICD: $ICD"
fi
[ -n "$ICD" ] && export VK_ICD_FILENAMES="$ICD" VK_DRIVER_FILES="$ICD"
node --input-type=module -e '
  import { loadWebGpu } from "./dist/compute/webgpu-backend.js";
  const r = await loadWebGpu();
  console.log(r.ok ? `adapter: ${r.device}` : `no adapter: ${r.reason}`);
  process.exit(0);' >"$OUT/adapter.txt" 2>&1
say "- Dawn: $(grep -m1 'adapter' "$OUT/adapter.txt" || tail -1 "$OUT/adapter.txt")"
say ""

# --- 1. equivalence and coverage
RINGTRAIN_REQUIRE_WEBGPU=1 timeout 900 node node_modules/vitest/vitest.mjs run \
  test/compute/webgpu-equivalence.test.ts test/compute/webgpu-kernels.test.ts >"$OUT/equivalence.txt" 2>&1
say "## 1. equivalence (webgpu vs cpu): exit $?, $(grep -E '^ +Tests ' "$OUT/equivalence.txt" | tr -s ' ')"
say ""

# --- 2. per-kernel profiles
for m in cnn mlp; do
  timeout 600 node dist/bench/kernel-profile.js --backend webgpu --model "$m" --batch 128 >"$OUT/profile-$m.txt" 2>&1
done
say "## 2. per-kernel GPU time, batch 128 (top 8; full lists in profile-*.txt)"
for m in cnn mlp; do say ""; say '```'; grep -v '^\s*at ' "$OUT/profile-$m.txt" | head -9 >>"$SUMMARY"; tail -1 "$OUT/profile-$m.txt" >>"$SUMMARY"; say '```'; done
say ""

# --- 3. training step beside PyTorch on the same GPU
# median_ms RESULT.json STDERR: the median_ms of the JSON line a step benchmark printed last, else why it failed
median_ms() {
  python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["median_ms"])' "$1" 2>/dev/null ||
    echo "failed: $(tail -1 "$2")"
}
say "## 3. training step at batch 128"
say ""
say "| model | ringtrain webgpu (ms, median) | PyTorch CUDA (ms, median) | ratio |"
say "|---|---:|---:|---:|"
for m in mlp cnn; do
  timeout 600 node dist/bench/compute-step.js --backend webgpu --model "$m" --batch 128 --steps "$([ $m = cnn ] && echo 50 || echo 200)" --warmup 10 >"$OUT/step-$m.json" 2>"$OUT/step-$m.err"
  timeout 600 python3 scripts/gpu/torch_cuda_step.py --model "$m" --batch 128 >"$OUT/torch-$m.json" 2>"$OUT/torch-$m.err"
  ours=$(median_ms "$OUT/step-$m.json" "$OUT/step-$m.err")
  theirs=$(median_ms "$OUT/torch-$m.json" "$OUT/torch-$m.err")
  ratio=$(python3 -c 'import sys; print(f"{float(sys.argv[1])/float(sys.argv[2]):.2f}x")' "$ours" "$theirs" 2>/dev/null || echo n/a)
  say "| $m | $ours | $theirs | $ratio |"
done
say ""
say "Aim: the CNN step within 3x of PyTorch's."
say ""

# --- 4. two workers
GPUS=$(grep -c '^GPU ' "$OUT/nvidia-smi.txt")
SHARE=$([ "$GPUS" -lt 2 ] && echo --allow-gpu-sharing)
timeout 900 node dist/cli.js train configs/cnn.json --backend webgpu --workers 2 $SHARE --epochs 1 \
  --train-limit 8192 --test-limit 1000 --runs-dir "$OUT/runs" >"$OUT/train-2-workers.txt" 2>&1
say "## 4. 2-worker run (CNN, 8192 samples, 1 epoch${SHARE:+, both workers on the one GPU}): exit $?"
say ""
say '```'
grep -E 'joined|backend|"status"|samplesPerSecond|error' "$OUT/train-2-workers.txt" | cut -c1-400 | tail -6 >>"$SUMMARY"
say '```'
echo "verify-webgpu: results in $OUT (summary: $SUMMARY)"
