#!/usr/bin/env bash
# Packs what scripts/gpu/verify-webgpu.sh needs on a GPU machine that has no Node.js
# and reaches no registry, into one file beside the working tree: gpu-bundle.tar.xz
# (git-ignored; under the 64 MiB that a device run carries).
#
#   bash scripts/gpu/make-bundle.sh        # run here, after `npm ci` and `npm run build`
#
# Contents: this machine's node binary; node_modules without what the verification does
# not run (type checker, linter, browsers, other platforms' dawn.node); dist/; and the
# Vulkan loader libvulkan.so.1 from Debian's libvulkan1 (`apt-get download`, extracted,
# never installed). The NVIDIA Vulkan driver is not bundled: it must match the host's
# kernel driver, and verify-webgpu.sh finds it there.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
[ -d node_modules/webgpu ] || { echo "make-bundle: run npm ci first (node_modules/webgpu is missing)" >&2; exit 1; }
[ -f dist/cli.js ] || { echo "make-bundle: run npm run build first (dist/cli.js is missing)" >&2; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "make-bundle: builds a linux-x64 bundle; this machine is $(uname -m)" >&2; exit 1; }

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
B="$STAGE/gpu-bundle"
mkdir -p "$B/bin" "$B/lib"

cp "$(command -v node)" "$B/bin/node"

# node_modules minus what the GPU run never loads
tar -C "$ROOT" -cf - \
  --exclude='node_modules/typescript' --exclude='node_modules/eslint' --exclude='node_modules/@eslint' \
  --exclude='node_modules/@typescript-eslint' --exclude='node_modules/typescript-eslint' \
  --exclude='node_modules/playwright-core' --exclude='node_modules/.cache' \
  --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' \
  --exclude='node_modules/webgpu/dist/linux-arm64' \
  --exclude='node_modules/zeromq/build/darwin' --exclude='node_modules/zeromq/build/win32' \
  --exclude='node_modules/zeromq/build/linux/arm64' \
  --exclude='*.map' --exclude='*.min.js' --exclude='*.min.js.html' --exclude='*.es2017.js' --exclude='*.fesm.js' \
  --exclude='miniprogram' \
  node_modules dist | tar -C "$B" -xf -
# tfjs packages ship browser bundles and per-op ES modules beside the one file Node loads
# (their "main", dist/*.node.js) and the wasm binaries: keep only those
find "$B"/node_modules/@tensorflow/*/dist -type f ! -name '*.node.js' ! -name '*.wasm' -delete

# the Vulkan loader, from Debian's package, extracted (not installed)
DEBS="$STAGE/debs"
mkdir -p "$DEBS"
(cd "$DEBS" && apt-get download libvulkan1 >/dev/null)
dpkg-deb -x "$DEBS"/libvulkan1_*.deb "$DEBS/root"
cp -a "$DEBS"/root/usr/lib/x86_64-linux-gnu/libvulkan.so.1* "$B/lib/"

{
  echo "made $(date -u +%FT%TZ) by scripts/gpu/make-bundle.sh at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "node $("$B/bin/node" --version)"
  echo "libvulkan1 $(dpkg-deb -f "$DEBS"/libvulkan1_*.deb Version)"
} >"$B/MANIFEST"

tar -C "$STAGE" -cf - gpu-bundle | xz -T0 -4 >"$ROOT/gpu-bundle.tar.xz"
SIZE=$(stat -c %s "$ROOT/gpu-bundle.tar.xz")
echo "make-bundle: wrote gpu-bundle.tar.xz ($((SIZE / 1048576)) MiB)"
cat "$B/MANIFEST"
if [ "$SIZE" -gt $((64 * 1048576)) ]; then
  echo "make-bundle: the bundle is over 64 MiB, more than a device run carries" >&2
  exit 1
fi
