"""Cajal external method: persistent homology for topology (T4) with Debian's `ripser` program.

A faithful NumPy port of the TypeScript `persistent-homology` baseline (methods/persistent-homology/pipeline.ts),
except that the Vietoris–Rips barcode is computed by the `ripser` executable (Bauer 2021) instead of the
TypeScript re-implementation:

1. sqrt(x + 3/8) (Anscombe) of the counts, centred, projected on the 8 leading principal components;
2. every point replaced by the mean of its 20 nearest neighbours (itself included);
3. 120 max-min (farthest-point) landmarks starting from the point nearest the centroid; eps = their covering
   radius (the largest distance from a point to its nearest landmark);
4. `ripser --dim 2 --format lower-distance` on the landmarks' distance matrix (Z/2, filtration truncated at the
   enclosing radius, as ripser does by default);
5. Betti numbers from the bars that stand out (BETTI_RULE below, the same rule as the TypeScript baseline).

Deterministic: nothing is random, so CAJAL_SEED is not used. Needs python3-numpy and ripser
(Debian/Ubuntu: apt-get install python3-numpy ripser)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

# Use the CPU threads the harness grants; BLAS reads these when numpy is imported.
_threads = os.environ.get("CAJAL_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads

import numpy as np  # noqa: E402

COMPONENTS = 8
SMOOTHING = 20
LANDMARKS = 120
# Same thresholds as BETTI_RULE in methods/persistent-homology/pipeline.ts (in units of the covering radius).
BETTI_RULE = {"h0": 3.5, "h1": 1.4, "h2": 0.7, "relative": 0.4}
RIPSER_CANDIDATES = ("/usr/bin/ripser", "/usr/local/bin/ripser")


def fail(message):
    print(f"ripser-topology: {message}", file=sys.stderr)
    sys.exit(2)


def find_ripser():
    found = shutil.which("ripser")
    if found:
        return found
    for candidate in RIPSER_CANDIDATES:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    fail(
        "the `ripser` program was not found on PATH ("
        + os.environ.get("PATH", "")
        + ") nor at "
        + ", ".join(RIPSER_CANDIDATES)
        + "; install it system-wide (Debian/Ubuntu: apt-get install ripser) so that the sandbox can see it"
    )


def sq_dist_to(points, target):
    """Squared distances from every row of `points` to `target`, summed component by component in order
    (the same floating-point operations as the TypeScript loops)."""
    s = np.zeros(points.shape[0])
    for c in range(points.shape[1]):
        s += (points[:, c] - target[c]) ** 2
    return s


def project(x, components):
    """sqrt(x + 3/8), centred and projected on the leading principal components (n x p)."""
    y = np.sqrt(np.maximum(x, 0.0) + 0.375)
    mean = y.mean(axis=0)
    yc = y - mean
    cov = yc.T @ yc / max(1, y.shape[0] - 1)
    values, vectors = np.linalg.eigh(cov)  # ascending
    order = np.argsort(values, kind="stable")[::-1]
    p = min(components, y.shape[1])
    return yc @ vectors[:, order[:p]]


def knn_smooth(points, k, chunk=256):
    """Each point replaced by the mean of its k nearest neighbours (itself included)."""
    n, p = points.shape
    if k <= 1:
        return points.copy()
    k = min(k, n)
    out = np.empty_like(points)
    for start in range(0, n, chunk):
        block = points[start : start + chunk]
        d = np.zeros((block.shape[0], n))
        for c in range(p):
            d += (block[:, c][:, None] - points[:, c][None, :]) ** 2
        nearest = np.argpartition(d, k - 1, axis=1)[:, :k]
        out[start : start + chunk] = points[nearest].mean(axis=1)
    return out


def max_min_landmarks(points, count):
    """Max-min landmarks from the point nearest the centroid; returns (indices, covering radius)."""
    n = points.shape[0]
    m = min(count, n)
    first = int(np.argmin(sq_dist_to(points, points.mean(axis=0))))
    indices = [first]
    nearest = np.full(n, np.inf)
    last = first
    while True:
        np.minimum(nearest, sq_dist_to(points, points[last]), out=nearest)
        far = int(np.argmax(nearest))  # the first of equal maxima, like the TypeScript loop
        if len(indices) >= m:
            return indices, float(np.sqrt(nearest[far]))
        indices.append(far)
        last = far


def ripser_barcode(ripser, sub, tmpdir):
    """Run ripser on the lower-triangular Euclidean distance matrix of the rows of `sub`; parse its bars."""
    L = sub.shape[0]
    dist = np.sqrt(sum((sub[:, c][:, None] - sub[:, c][None, :]) ** 2 for c in range(sub.shape[1])))
    path = os.path.join(tmpdir, "landmarks.lower-distance")
    with open(path, "w") as f:
        for i in range(1, L):
            f.write(",".join(repr(float(v)) for v in dist[i, :i]) + "\n")
    try:
        proc = subprocess.run(
            [ripser, "--dim", "2", "--format", "lower-distance", path],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except OSError as e:
        fail(f"could not run {ripser}: {e} (Debian/Ubuntu: apt-get install ripser)")
    if proc.returncode != 0:
        fail(f"{ripser} exited with code {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    bars = []
    dim = -1
    for line in proc.stdout.splitlines():
        line = line.strip()
        if line.startswith("persistence intervals in dim"):
            dim = int(line[len("persistence intervals in dim") :].strip().rstrip(":"))
            continue
        if line.startswith("[") and dim >= 0:
            birth, death = line[1:].rstrip(")").split(",")
            bars.append((dim, float(birth), float(death) if death.strip() else float("inf")))
    if not any(b[0] == 0 for b in bars):
        fail(f"could not parse any H0 bar from ripser's output:\n{proc.stdout[-2000:]}")
    return bars


def betti_from_bars(bars, cover_radius, rule=BETTI_RULE):
    """The bars that stand out, in units of the covering radius (pipeline.ts, bettiFromBars)."""

    def persistence(dim):
        return [death - birth for d, birth, death in bars if d == dim]

    h0 = persistence(0)
    b0 = sum(1 for p in h0 if not np.isfinite(p)) + sum(1 for p in h0 if np.isfinite(p) and p >= rule["h0"] * cover_radius)

    def count(dim, tau):
        ps = persistence(dim)
        if not ps:
            return 0
        longest = max(ps)
        return sum(1 for p in ps if p >= tau * cover_radius and p >= rule["relative"] * longest)

    return [max(1, b0), count(1, rule["h1"]), count(2, rule["h2"])]


def main():
    inp, out = os.environ["CAJAL_INPUT"], os.environ["CAJAL_OUTPUT"]
    ripser = find_ripser()
    with open(os.path.join(inp, "task.json")) as f:
        task = json.load(f)
    x = np.load(os.path.join(inp, task["inputs"]["activity"]["file"])).astype(np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        fail(f"activity must be a non-empty 2-D array, got shape {x.shape}")
    t0 = time.perf_counter()
    smooth = knn_smooth(project(x, COMPONENTS), SMOOTHING)
    indices, cover_radius = max_min_landmarks(smooth, LANDMARKS)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ripser-topology-") as tmpdir:
        bars = ripser_barcode(ripser, smooth[indices], tmpdir)
    t2 = time.perf_counter()
    betti = betti_from_bars(bars, cover_radius)
    with open(os.path.join(out, task["outputs"]["result"]["file"]), "w") as f:
        json.dump({"betti": betti}, f)

    def longest(dim, top=3):
        ps = sorted((death - birth for d, birth, death in bars if d == dim and np.isfinite(death)), reverse=True)
        return "[" + ", ".join(f"{p / cover_radius:.2f}" for p in ps[:top]) + "]"

    print(
        f"ripser-topology: {x.shape[0]} x {x.shape[1]} -> {len(indices)} landmarks, eps = {cover_radius:.4g}; "
        f"longest finite bars / eps: H0 {longest(0)}, H1 {longest(1)}, H2 {longest(2)}; betti = {betti}; "
        f"preprocessing {t1 - t0:.2f} s, ripser {t2 - t1:.2f} s"
    )


if __name__ == "__main__":
    main()
