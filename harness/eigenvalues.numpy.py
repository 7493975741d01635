# Fixture for harness/linalg.test.ts: numpy's eigenvalues (LAPACK dgeev) of seeded standard normal matrices, the
# cross-check of the TypeScript Hessenberg + Francis QR routine `eigenvalues`.
# Run: python3 harness/eigenvalues.numpy.py && npx biome format --write harness/eigenvalues.numpy.json
import json
import os

import numpy as np

rng = np.random.default_rng(20261203)
cases = []
for n in (5, 12, 24):
    a = rng.standard_normal((n, n))
    values = sorted(np.linalg.eigvals(a), key=lambda z: (round(z.real, 9), z.imag))
    cases.append({"n": n, "a": [float(v) for v in a.flatten()], "re": [float(z.real) for z in values], "im": [float(z.imag) for z in values]})
origin = (
    f"numpy {np.__version__} numpy.linalg.eigvals (LAPACK dgeev) of standard normal matrices from "
    "numpy.random.default_rng(20261203), n = 5, 12, 24; sorted by (real part to 9 decimals, imaginary part); "
    "harness/eigenvalues.numpy.py"
)
with open(os.path.join(os.path.dirname(__file__), "eigenvalues.numpy.json"), "w") as f:
    json.dump({"origin": origin, "cases": cases}, f)
