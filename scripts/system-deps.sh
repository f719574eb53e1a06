#!/usr/bin/env bash
# Installs what npm cannot: Debian's Chromium for browser tests and Python with
# torch/onnx for building model packages. Never downloads a browser of its own.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
/usr/bin/python3 -c 'import torch, onnx, numpy, PIL' 2>/dev/null || need+=(python3-torch python3-onnx python3-numpy python3-pil)
[ -e /usr/lib/x86_64-linux-gnu/openblas-openmp ] || [ -e /usr/lib/aarch64-linux-gnu/openblas-openmp ] || need+=(libopenblas0-openmp)
# A real photo (skimage's data/chelsea.png) for the Hub fixture tests (test/unit/hub-fixtures.test.ts).
[ -e /usr/lib/python3/dist-packages/skimage/data/chelsea.png ] || need+=(python3-skimage)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
fi
