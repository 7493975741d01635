"""Cajal external method that needs a GPU (PROTOCOL 1.1): PCA for feature-recovery (T1), covariance on the GPU.

The same method as examples/python-pca, except that the covariance of the centred activations is computed by
cov.cu on the GPU the harness assigned (CUDA_VISIBLE_DEVICES names it; it is the only one this process can see).
cov.cu is compiled at run time with nvcc into $TMPDIR (a fresh tmpfs per instance, so every instance compiles it,
about 2-5 s). Without a GPU, nvcc or a working driver the method says why and exits 1: it never computes on the CPU
instead, so a GPU result is always a GPU result."""
import ctypes
import json
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
NVCC_PLACES = ["/usr/local/cuda/bin/nvcc", "/usr/bin/nvcc"]


def fail(message):
    sys.exit(f"gpu-pca: {message}")


def build_library():
    if not os.environ.get("CUDA_VISIBLE_DEVICES"):
        fail("no GPU assigned (CUDA_VISIBLE_DEVICES is not set): run me with a worker that has --gpus, or cajal run on a GPU machine")
    nvcc = shutil.which("nvcc") or next((p for p in NVCC_PLACES if os.path.exists(p)), None)
    if not nvcc:
        fail(f"nvcc not found (looked on PATH and in {', '.join(NVCC_PLACES)}): install the CUDA toolkit")
    lib = os.path.join(os.environ.get("TMPDIR", "/tmp"), "libcov.so")
    built = subprocess.run(
        [nvcc, "-O2", "-shared", "-Xcompiler", "-fPIC", "-o", lib, os.path.join(HERE, "cov.cu")],
        capture_output=True,
        text=True,
    )
    if built.returncode != 0:
        fail(f"nvcc failed: {built.stderr.strip()[-2000:]}")
    return ctypes.CDLL(lib)


def covariance_on_gpu(xc):
    lib = build_library()
    n, d = xc.shape
    xc = np.ascontiguousarray(xc, dtype=np.float64)
    cov = np.zeros((d, d), dtype=np.float64)
    name = ctypes.create_string_buffer(256)
    p = ctypes.POINTER(ctypes.c_double)
    err = lib.covariance(xc.ctypes.data_as(p), n, d, cov.ctypes.data_as(p), name, 256)
    if err != 0:
        fail(f"CUDA error {err} (see cudaError_t): is the assigned GPU reachable?")
    return cov, name.value.decode()


def main():
    inp, out = os.environ["CAJAL_INPUT"], os.environ["CAJAL_OUTPUT"]
    with open(os.path.join(inp, "task.json")) as f:
        task = json.load(f)
    x = np.load(os.path.join(inp, task["inputs"]["activations"]["file"])).astype(np.float64)
    k, d = task["outputs"]["dictionary"]["shape"]
    cov, device = covariance_on_gpu(x - x.mean(axis=0))
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    axes = vectors[:, order].T
    signs = np.sign(axes[np.arange(axes.shape[0]), np.abs(axes).argmax(axis=1)])
    axes *= np.where(signs == 0, 1, signs)[:, None]
    dictionary = np.zeros((k, d), dtype=np.float32)
    m = min(k, d)
    dictionary[:m] = axes[:m]
    np.save(os.path.join(out, task["outputs"]["dictionary"]["file"]), dictionary)
    print(f"gpu-pca: {x.shape[0]} samples x {d} dims -> {m} directions on {device}")


if __name__ == "__main__":
    main()
