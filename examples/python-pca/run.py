"""Cajal external method: PCA for feature-recovery (T1), with NumPy only.

Reads $CAJAL_INPUT/task.json and the activations, writes $CAJAL_OUTPUT/dictionary.npy: the top principal
directions of the centred activations, one per row, by decreasing variance; PCA finds at most d directions, so
rows beyond d are zero (a zero row scores cosine 0)."""
import json
import os

# Use the CPU threads the harness grants; BLAS reads these when numpy is imported.
_threads = os.environ.get("CAJAL_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads

import numpy as np  # noqa: E402


def main():
    inp, out = os.environ["CAJAL_INPUT"], os.environ["CAJAL_OUTPUT"]
    with open(os.path.join(inp, "task.json")) as f:
        task = json.load(f)
    x = np.load(os.path.join(inp, task["inputs"]["activations"]["file"])).astype(np.float64)
    k, d = task["outputs"]["dictionary"]["shape"]
    xc = x - x.mean(axis=0)
    cov = xc.T @ xc / max(1, x.shape[0] - 1)
    values, vectors = np.linalg.eigh(cov)  # ascending eigenvalues, eigenvectors in columns
    order = np.argsort(values)[::-1]
    axes = vectors[:, order].T  # one direction per row, by decreasing variance
    # A canonical sign (largest |component| positive), so the output does not depend on the LAPACK build.
    signs = np.sign(axes[np.arange(axes.shape[0]), np.abs(axes).argmax(axis=1)])
    axes *= np.where(signs == 0, 1, signs)[:, None]
    dictionary = np.zeros((k, d), dtype=np.float32)
    m = min(k, d)
    dictionary[:m] = axes[:m]
    np.save(os.path.join(out, task["outputs"]["dictionary"]["file"]), dictionary)
    print(f"pca: {x.shape[0]} samples x {d} dims -> {m} directions (+{k - m} zero rows)")


if __name__ == "__main__":
    main()
