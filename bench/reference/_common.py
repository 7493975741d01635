"""Shared plumbing of the reference implementations that `npm run bench:reference` (bench/reference.ts) times
against Cajal's baselines.

Every script reads one instance directory as an external method would ($CAJAL_INPUT: task.json + .npy, written
by harness/protocol.ts `writeInstanceDir`), runs its computation `--warmup` times untimed and then `--repeat`
times timed with time.perf_counter() around the computation only (interpreter start-up, imports, reading the
inputs and writing the outputs are excluded), writes the last result in PROTOCOL.md form into the output
directory ($CAJAL_OUTPUT) and prints one JSON object on stdout:

    {"reference": "...", "ms": [per-repetition compute times], "medianMs": ..., "cpuMs": [...], "medianCpuMs": ...,
     "info": {...}}

cpuMs is the CPU time of the same repetitions (os.times(): this process plus the child processes it waited for,
e.g. ripser), which a machine shared with other work disturbs far less than wall-clock time.

Usage: python3 <script>.py --input DIR --output DIR [--repeat N] [--warmup N] [--seed S] [--params JSON]
(--input/--output/--seed default to $CAJAL_INPUT/$CAJAL_OUTPUT/$CAJAL_SEED). --params overrides the
hyper-parameters; bench/reference.ts passes the baseline's exported constants so both sides use the same ones.
Needs numpy (and scikit-learn for the sklearn references: Debian `apt-get install python3-sklearn`)."""
import argparse
import json
import os
import sys
import time
import warnings

# BLAS threads: CAJAL_THREADS (default 1), set before numpy is imported, as for every external method. The
# in-process baselines run on one thread, so one thread is the like-for-like comparison.
_threads = os.environ.get("CAJAL_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = _threads

import numpy as np  # noqa: E402

warnings.filterwarnings("ignore")  # ConvergenceWarning & co. would only clutter the benchmark's log


def parse_args(defaults=None):
    p = argparse.ArgumentParser()
    p.add_argument("--input", default=os.environ.get("CAJAL_INPUT"))
    p.add_argument("--output", default=os.environ.get("CAJAL_OUTPUT"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--seed", type=int, default=int(os.environ.get("CAJAL_SEED", "0")))
    p.add_argument("--params", default="{}", help="JSON object of hyper-parameters")
    args = p.parse_args()
    if not args.input or not args.output:
        p.error("--input and --output (or $CAJAL_INPUT and $CAJAL_OUTPUT) are required")
    params = dict(defaults or {})
    params.update(json.loads(args.params))
    args.params = params
    return args


def load_task(in_dir):
    with open(os.path.join(in_dir, "task.json")) as f:
        return json.load(f)


def load_input(in_dir, task, name):
    """An input array as stored (float32 or int32): what a Python user gets from np.load."""
    return np.load(os.path.join(in_dir, task["inputs"][name]["file"]))


def save_array(out_dir, task, name, array):
    # C order: sklearn's attributes are often Fortran-ordered views, and PROTOCOL.md wants C-order .npy files.
    np.save(os.path.join(out_dir, task["outputs"][name]["file"]), np.ascontiguousarray(array, dtype="<f4"))


def save_result(out_dir, task, values):
    with open(os.path.join(out_dir, "result.json"), "w") as f:
        json.dump(values, f)


def _cpu_seconds():
    # process_time() has ns resolution (os.times() only clock ticks, 10 ms); children are what os.times() has.
    t = os.times()
    return time.process_time() + t.children_user + t.children_system


_cpu_ms = []


def timed(compute, repeat, warmup):
    """Run compute() `warmup` times untimed, then `repeat` times timed; returns (last result, wall times in ms).
    The CPU times of the timed runs are kept for report()."""
    result = None
    for _ in range(warmup):
        result = compute()
    times = []
    _cpu_ms.clear()
    for _ in range(max(1, repeat)):
        c0 = _cpu_seconds()
        t0 = time.perf_counter()
        result = compute()
        times.append((time.perf_counter() - t0) * 1000)
        _cpu_ms.append((_cpu_seconds() - c0) * 1000)
    return result, times


def report(reference, times, info=None):
    out = {"reference": reference, "ms": times, "medianMs": float(np.median(times)), "cpuMs": list(_cpu_ms)}
    out["medianCpuMs"] = float(np.median(_cpu_ms)) if _cpu_ms else None
    out["info"] = info or {}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


# ---------------------------------------------------------------------------------- shared numerics


def nearest_distances(x, k, chunk=512):
    """n x k ascending Euclidean distances to the k nearest *distinct* points (inf where fewer exist), by brute
    force with BLAS: the same definition as methods/shared/neighbors.ts (exact duplicates are not
    neighbours; the Gram expansion is recomputed directly for very close pairs)."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    norms = np.einsum("ij,ij->i", x, x)
    out = np.full((n, k), np.inf)
    kk = min(k, n - 1)
    if kk <= 0:
        return out
    for start in range(0, n, chunk):
        block = x[start : start + chunk]
        nb = norms[start : start + chunk]
        sq = nb[:, None] + norms[None, :] - 2.0 * (block @ x.T)
        close = sq < 1e-6 * (nb[:, None] + norms[None, :])
        if close.any():
            ii, jj = np.nonzero(close)
            sq[ii, jj] = ((block[ii] - x[jj]) ** 2).sum(axis=1)
        sq[sq <= 0] = np.inf  # the point itself and exact duplicates
        part = np.partition(sq, kk - 1, axis=1)[:, :kk]
        part.sort(axis=1)
        out[start : start + block.shape[0], :kk] = part
    return np.sqrt(out)


def encode_targets(kind, y, n_classes=None):
    """Regression outputs of a target [n, q], as methods/shared/decoding.ts encodeTargets: the values
    (linear), (cos, sin) per column (circular) or one-hot indicators per column (categorical)."""
    y = np.asarray(y, dtype=np.float64)
    if kind == "linear":
        return y
    if kind == "circular":
        return np.stack([np.cos(y), np.sin(y)], axis=2).reshape(y.shape[0], -1)
    classes = np.rint(y).astype(int)
    out = np.zeros((y.shape[0], y.shape[1] * n_classes))
    for j in range(y.shape[1]):
        ok = (classes[:, j] >= 0) & (classes[:, j] < n_classes)
        out[np.nonzero(ok)[0], j * n_classes + classes[ok, j]] = 1
    return out


def decode_outputs(kind, z, q, n_classes=None):
    """Predictions [n, q] from regression outputs: as is, atan2(sin, cos), or argmax (decoding.ts decodeOutputs)."""
    if kind == "linear":
        return z
    if kind == "circular":
        return np.arctan2(z[:, 1::2], z[:, 0::2])
    return np.stack([z[:, j * n_classes : (j + 1) * n_classes].argmax(axis=1) for j in range(q)], axis=1)
