# Regenerates methods/mftma/centre-correlations.scipy.json, the Python peer of mftma's centre-correlation removal:
#   python3 methods/mftma/centre-correlations.scipy.py > methods/mftma/centre-correlations.scipy.json
# The formulas of fun_FA and square_corrcoeff_full_cost (Cohen et al. 2020; neural_manifolds_replicaMFT,
# mftma/manifold_analysis_correlation.py) restated in numpy: the residual-correlation cost and the reference's own
# closed-form gradient at given V, and, per rank K, the minimum of that cost over orthonormal V found by scipy's
# L-BFGS-B from many starts (V = Q of A's QR, an optimiser unlike ours), with the mean |residual correlation| there.
import json, numpy as np, scipy
from scipy.optimize import minimize

rng = np.random.default_rng(20261203)
P, N, planted = 12, 20, 2


def cost_and_gradient(V, X):
    # square_corrcoeff_full_cost, grad=True branch, as in the reference.
    P, _ = X.shape
    K = V.shape[1]
    C = X @ X.T
    c = X @ V
    c0 = np.diagonal(C).reshape(P, 1) - np.sum(np.square(c), axis=1, keepdims=True)
    Fmn = np.square(C - c @ c.T) / (c0 @ c0.T)
    cost = np.sum(Fmn) / 2
    X1 = X.reshape(1, P, -1, 1)
    X2 = X.reshape(P, 1, -1, 1)
    C1 = c.reshape(P, 1, 1, K)
    C2 = c.reshape(1, P, 1, K)
    PF1 = ((C - c @ c.T) / (c0 @ c0.T)).reshape(P, P, 1, 1)
    PF2 = (np.square(C - c @ c.T) / np.square(c0 @ c0.T)).reshape(P, P, 1, 1)
    G = -PF1 * C1 * X1 - PF1 * C2 * X2 + PF2 * c0.reshape(P, 1, 1, 1) * C2 * X1 + PF2 * c0.T.reshape(1, P, 1, 1) * C1 * X2
    return cost, np.sum(G, axis=(0, 1))


def residual_correlation(V, X):
    # fun_FA's current_cost: mean |off-diagonal correlation| of the residual centres.
    X0 = X - X @ V @ V.T
    xnorm = np.sqrt(np.square(X0).sum(axis=1, keepdims=True))
    C0 = X0 @ X0.T / (xnorm @ xnorm.T)
    return float((np.sum(np.abs(C0)) - P) / (P * (P - 1)))


# Centres: a planted rank-2 shared component (strong) plus independent parts.
shared = rng.normal(size=(planted, N))
centres = np.round(rng.normal(size=(P, planted)) @ shared * 1.5 + rng.normal(size=(P, N)), 6)

# fun_FA's coordinates: the mean-removed centres in a QR basis of their span (P - 1 coordinates).
Xb = centres - centres.mean(axis=0, keepdims=True)
q, _ = np.linalg.qr(Xb.T)
X = Xb @ q[:, : P - 1]
d = P - 1
xn = np.sqrt(np.square(X).sum(axis=1, keepdims=True))
res0 = float((np.sum(np.abs(X @ X.T / (xn @ xn.T))) - P) / (P * (P - 1)))

# Cost and gradient at fixed orthonormal V in the ambient space (V = Q of a Gaussian matrix).
fixed = []
for K in [1, 2, 3]:
    V = np.round(np.linalg.qr(rng.normal(size=(N, K)))[0], 9)
    V = np.linalg.qr(V)[0]
    f, g = cost_and_gradient(V, Xb)
    fixed.append({"K": K, "V": V.flatten().tolist(), "cost": float(f), "gradient": g.flatten().tolist(),
                  "residualCorrelation": residual_correlation(V, Xb)})

# Minimum over V per K (the reference's K loop with its early stop), many starts. The cost depends on span(V) only,
# so A is free: V = A S^(-1/2), S = AᵀA, and the gradient in A is (I − VVᵀ) Z S^(-1/2), Z the reference's in V.
def objective(a, K):
    A = a.reshape(d, K)
    w, E = np.linalg.eigh(A.T @ A)
    inv_sqrt = E @ np.diag(w ** -0.5) @ E.T
    V = A @ inv_sqrt
    f, Z = cost_and_gradient(V, X)
    return f, ((np.eye(d) - V @ V.T) @ Z @ inv_sqrt).flatten()

total = np.cumsum(np.square(np.linalg.svd(Xb, compute_uv=False)) / np.sum(np.square(Xb)))
max_k = min(int(np.argmax([t if t < 0.95 else 0 for t in total])) + 11, d - 1)
minima = []
for K in range(1, max_k + 1):
    best = None
    for start in range(12):
        r = minimize(objective, rng.normal(size=d * K), args=(K,), jac=True, method="L-BFGS-B", options={"gtol": 1e-9, "ftol": 1e-15, "maxiter": 5000})
        if best is None or r.fun < best.fun:
            best = r
    V = np.linalg.qr(best.x.reshape(d, K))[0]  # the span of A
    minima.append({"K": K, "cost": float(best.fun), "residualCorrelation": residual_correlation(V, X)})
    res = [m["residualCorrelation"] for m in minima]
    if K > 4 and res[-1] > res[-2] > res[-3] > res[-4]:
        break
rank = int(np.argmin([m["residualCorrelation"] for m in minima])) + 1

print(json.dumps({
    "generatedBy": f"scipy {scipy.__version__}, numpy {np.__version__}: the reference's square_corrcoeff_full_cost (cost and closed-form gradient) and fun_FA's residual correlation restated in numpy; per-K minima by scipy.optimize.minimize(L-BFGS-B) over V = qr(A).Q from 12 starts; regenerate with python3 methods/mftma/centre-correlations.scipy.py > methods/mftma/centre-correlations.scipy.json",
    "P": P, "N": N, "planted": planted, "centres": centres.flatten().tolist(),
    "correlation0": res0, "maxK": max_k, "fixed": fixed, "minima": minima, "rank": rank,
}))
