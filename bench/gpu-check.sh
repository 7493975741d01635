#!/usr/bin/env bash
# The GPU path on a machine with an NVIDIA GPU (README, "Methods that need a GPU"), in one short run (< 8 minutes
# with the default 3 instances). Everything it prints is also saved under $OUT (default .cajal/gpu-check).
#   bash bench/gpu-check.sh [instances]
#
# 1. nvidia-smi: the queries harness/gpu.ts parses, saved raw under $OUT/nvidia-smi/ (to replace the hand-written
#    fixtures in tests/fixtures/nvidia-smi) - needs nothing but the driver.
# 2. Bare sandbox check (needs python3 + numpy, nvcc, bwrap; no node_modules): examples/gpu-pca on a synthetic
#    input inside bubblewrap with exactly the binds harness/gpu.ts gives a GPU method (/dev/nvidia0, the control
#    nodes, driver folders outside /usr), CUDA_VISIBLE_DEVICES=<uuid>, no network, as the sandbox user, while
#    --query-compute-apps is sampled: does CUDA work with only those binds, and what does nvidia-smi report?
# 3. Full harness (needs node_modules): bench/gpu-check.ts - gpu-pca through evaluateInstance with the recorded GPU
#    numbers and its scores against python-pca, and the SAE/MLP baselines on webgpu vs wasm (speed-up, CI). The
#    webgpu half needs the optional packages in node_modules (never installed by this script: on a checkout whose
#    node_modules is shared, an npm install would rewrite the shared node_modules/.package-lock.json).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export OUT=${OUT:-.cajal/gpu-check}
mkdir -p "$OUT/nvidia-smi"
instances=${1:-3}

echo "== 1. nvidia-smi"
if ! nvidia-smi; then echo "nvidia-smi failed: no NVIDIA GPU here"; exit 1; fi
nvidia-smi --query-gpu=index,uuid,name,driver_version,memory.total --format=csv,noheader,nounits | tee "$OUT/nvidia-smi/query-gpu.csv"
nvidia-smi --query-gpu=uuid,utilization.gpu,memory.used --format=csv,noheader,nounits | tee "$OUT/nvidia-smi/query-utilization.csv"
nvidia-smi --query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits >"$OUT/nvidia-smi/query-compute-apps-idle.csv"
nvidia-smi >"$OUT/nvidia-smi/smi-header.txt"
ldconfig -p >"$OUT/nvidia-smi/ldconfig-p.txt"
ls -l /dev/nvidia* | tee "$OUT/nvidia-smi/dev-nodes.txt"
uuid=$(head -1 "$OUT/nvidia-smi/query-gpu.csv" | cut -d, -f2 | tr -d ' ')
nvcc=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || echo none)
echo "GPU 0 uuid $uuid; nvcc $nvcc; bwrap $(command -v bwrap || echo none); $(python3 -c 'import numpy; print("numpy", numpy.__version__)' 2>&1)"
echo "vulkan (WebGPU/Dawn needs it): $(grep -c 'libvulkan.so.1' "$OUT/nvidia-smi/ldconfig-p.txt") libvulkan; ICDs: $(ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | tr '\n' ' ')"

echo "== 2. bare sandbox: examples/gpu-pca in bubblewrap with the harness's GPU binds"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/input" "$work/output" && cp -r examples/gpu-pca "$work/method" && chmod -R a+rX "$work/method" "$work/input"
python3 - "$work/input" <<'PY'
import json, sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(0)
x = (rng.standard_normal((4096, 32)) @ rng.standard_normal((32, 32))).astype(np.float32)
np.save(f"{d}/activations.npy", x)
json.dump({"protocol": 1, "task": "feature-recovery", "taskVersion": 1, "instance": "gpu-check", "params": {},
           "inputs": {"activations": {"file": "activations.npy", "dtype": "float32", "shape": [4096, 32]}},
           "outputs": {"dictionary": {"file": "dictionary.npy", "shape": [40, 32]}}}, open(f"{d}/task.json", "w"))
PY
chmod -R a+r "$work/input"; chmod a+rwx "$work/output"
args=(--ro-bind /usr /usr --ro-bind /etc /etc)
for p in /bin /sbin /lib /lib32 /lib64 /libx32; do
  if [ -L "$p" ]; then args+=(--symlink "$(readlink "$p")" "$p"); elif [ -d "$p" ]; then args+=(--ro-bind "$p" "$p"); fi
done
args+=(--proc /proc --dev /dev --dev-bind /dev/nvidia0 /dev/nvidia0)
for n in /dev/nvidiactl /dev/nvidia-uvm /dev/nvidia-uvm-tools; do [ -e "$n" ] && args+=(--dev-bind "$n" "$n"); done
for dir in $(sed -nE 's/^\s*(libcuda\.so[^ ]*|libnvidia-[^ ]+) \(.*\) => (.*)$/\2/p' "$OUT/nvidia-smi/ldconfig-p.txt" | xargs -r -n1 dirname | sort -u); do
  case "$dir" in /usr/*|/lib*|/bin*|/sbin*|/etc*) ;; *) args+=(--ro-bind "$dir" "$dir") ;; esac
done
args+=(--tmpfs /tmp --tmpfs /home/cajal --dir /cajal --ro-bind "$work/input" /cajal/input --bind "$work/output" /cajal/output)
args+=(--ro-bind "$work/method" "$work/method" --chdir "$work/method")
args+=(--unshare-user --unshare-net --unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup-try --die-with-parent --new-session --cap-drop ALL --clearenv)
for kv in CAJAL_PROTOCOL=1 CAJAL_TASK=feature-recovery CAJAL_INPUT=/cajal/input CAJAL_OUTPUT=/cajal/output CAJAL_SEED=1 CAJAL_THREADS=1 \
  PATH=/usr/bin:/bin:/usr/local/bin HOME=/home/cajal LANG=C.UTF-8 TMPDIR=/tmp CUDA_VISIBLE_DEVICES="$uuid" CUDA_DEVICE_ORDER=PCI_BUS_ID; do
  args+=(--setenv "${kv%%=*}" "${kv#*=}")
done
drop=()
[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && drop=(setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs --)
( while sleep 0.5; do nvidia-smi --query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits; nvidia-smi --query-gpu=uuid,utilization.gpu,memory.used --format=csv,noheader,nounits; done ) >"$OUT/nvidia-smi/samples-during-run.csv" 2>&1 &
sampler=$!
t0=$(date +%s.%N)
"${drop[@]}" bwrap "${args[@]}" -- python3 run.py >"$OUT/bare-run.log" 2>&1
rc=$?
kill "$sampler" 2>/dev/null
echo "exit $rc in $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s: $(tail -3 "$OUT/bare-run.log")"
echo "output: $(ls -l "$work/output" | tail -n +2)"
echo "nvidia-smi while it ran (compute apps, then utilization):"; sort -u "$OUT/nvidia-smi/samples-during-run.csv" | head -12
# Network is still off with the GPU binds.
"${drop[@]}" bwrap "${args[@]}" -- python3 -c 'import socket; s=socket.socket(); s.settimeout(2); s.connect(("1.1.1.1", 80))' >/dev/null 2>&1 \
  && echo "NETWORK REACHABLE (unexpected)" || echo "network: unreachable, as it should be"

echo "== 3. full harness (bench/gpu-check.ts)"
if [ -d node_modules/tsx ]; then
  [ -d node_modules/webgpu ] || echo "(node_modules/webgpu missing: the webgpu baselines will report it; see README)"
  timeout 420 node --import ./harness/tsx.mjs bench/gpu-check.ts "$instances"
else
  echo "node_modules not here: skipped (run npm ci on this machine for the harness path)"
fi
echo "== saved in $OUT: $(cd "$OUT" && ls | tr '\n' ' ')"
