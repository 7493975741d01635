# Regenerates tasks/manifold-capacity/capacity.scipy.json, the Python peer of the T7 test: python3 capacity.scipy.py > capacity.scipy.json
import json, numpy as np, scipy
from scipy.optimize import linprog, nnls
rng = np.random.default_rng(20261203)
sep = []
for (n, d, shift) in [(12, 3, 0.0), (12, 6, 0.0), (12, 12, 0.0), (20, 4, 0.0), (20, 4, 1.5), (30, 10, 0.0), (30, 14, 0.0), (30, 20, 0.0)]:
    z = np.round(rng.normal(size=(n, d)), 6)
    z[:, 0] += shift
    z = np.round(z, 6)
    # Feasibility of z w >= 1 (w free): separable by a hyperplane through the origin iff feasible.
    r = linprog(np.zeros(d), A_ub=-z, b_ub=-np.ones(n), bounds=[(None, None)] * d, method="highs")
    sep.append({"n": n, "d": d, "z": z.flatten().tolist(), "separable": bool(r.status == 0), "linprogStatus": int(r.status)})
mf = []
for (m, k, radius) in [(1, 1, 0.0), (6, 3, 0.8), (10, 5, 1.2), (8, 4, 0.3)]:
    s = np.round(rng.normal(size=(m, k - 1)) * radius, 6) if k > 1 else np.zeros((m, 0))
    pts = np.concatenate([np.ones((m, 1)), s], axis=1)
    ts = np.round(rng.normal(size=(6, k)), 6)
    fs = []
    for t in ts:
        lam, _ = nnls(-pts.T, t)
        fs.append(float(np.sum((pts.T @ lam) ** 2)))
    mf.append({"m": m, "k": k, "points": pts.flatten().tolist(), "t": ts.flatten().tolist(), "F": fs})
print(json.dumps({"generatedBy": f"scipy {scipy.__version__}, numpy {np.__version__}: scipy.optimize.linprog(method='highs') feasibility of z·w ≥ 1 for separability, scipy.optimize.nnls(−S̃ᵀ, T) for F(T) = ‖S̃ᵀλ‖²; regenerate with python3 tasks/manifold-capacity/capacity.scipy.py > tasks/manifold-capacity/capacity.scipy.json", "separability": sep, "meanField": mf}))
