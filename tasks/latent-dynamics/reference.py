"""Reference values of T8's scores, computed outside Cajal: python3 tasks/latent-dynamics/reference.py > tasks/latent-dynamics/reference.numpy.json

bits_per_spike follows nlb_tools.evaluation.bits_per_spike (Pei et al. 2021): the Poisson negative log-likelihood of
the predicted rates and of each neuron's mean rate over the evaluated data, (nll_null − nll_model) / spikes / ln 2;
scipy.special.gammaln is math.lgamma here (nlb_tools and scipy are not installed on this machine). Deviance explained
is 1 − D(model)/D(null) with the Poisson deviance 2·Σ[k·log(k/λ) − (k − λ)]. The affine-aligned R² is numpy.linalg.lstsq
of the true latents on [predicted, 1] over the fit rows, scored on the other rows as sklearn.metrics.r2_score(...,
multioutput="variance_weighted") defines it (1 − Σ residual² / Σ (y − ȳ)², pooled over the columns).

fixed_points restates task version 2's fixed-point recovery (README, "Fixed points and continua") from its text: the
isolated true points matched one-to-one to the predicted ones, closest pairs first (ties by true then predicted
index), within the tolerance; each continuum one unit of recall, weighted by the fraction of its samples that have a
predicted point within the tolerance; a predicted point correct when matched or within the tolerance of a continuum
sample, its class then agreeing with the nearest sample's or with one more unstable direction.
"""
import json
import math

import numpy as np


def poisson_nll(rates, spikes):
    lg = np.vectorize(math.lgamma)(spikes + 1)
    return float(np.sum(rates - spikes * np.log(rates) + lg))


def bits_per_spike(rates, spikes):
    null_rates = np.tile(np.nanmean(spikes, axis=tuple(range(spikes.ndim - 1)), keepdims=True), spikes.shape[:-1] + (1,))
    return (poisson_nll(null_rates, spikes) - poisson_nll(rates, spikes)) / np.nansum(spikes) / math.log(2)


def deviance(rates, spikes):
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(spikes > 0, spikes * np.log(spikes / rates), 0.0)
    return float(2 * np.sum(term - (spikes - rates)))


def deviance_explained(rates, spikes):
    null_rates = np.broadcast_to(spikes.reshape(-1, spikes.shape[-1]).mean(axis=0), spikes.shape)
    return 1 - deviance(rates, spikes) / deviance(null_rates, spikes)


def affine_r2(pred, truth, fit_rows):
    design = np.hstack([pred, np.ones((pred.shape[0], 1))])
    coef, *_ = np.linalg.lstsq(design[:fit_rows], truth[:fit_rows], rcond=None)
    y, y_hat = truth[fit_rows:], design[fit_rows:] @ coef
    return float(1 - np.sum((y - y_hat) ** 2) / np.sum((y - y.mean(axis=0)) ** 2))


def stability_class(k, d):
    k = round(k)
    return "stable" if k <= 0 else "unstable" if k >= d else "saddle"


def fixed_points(pred, pred_unstable, truth, truth_unstable, truth_id, tol, scale):
    d = truth.shape[1]
    dist = np.sqrt(((pred[:, None, :] - truth[None, :, :]) ** 2).sum(axis=2))
    iso = np.flatnonzero(truth_id == 0)
    pairs = sorted((dist[i, j], j, i) for i in range(len(pred)) for j in iso if dist[i, j] <= tol)
    used_p, used_t, err, agree = set(), set(), [], 0
    for dd, j, i in pairs:
        if i in used_p or j in used_t:
            continue
        used_p.add(i)
        used_t.add(j)
        err.append(dd)
        agree += stability_class(pred_unstable[i], d) == stability_class(truth_unstable[j], d)
    cont = np.flatnonzero(truth_id > 0)
    ids = np.unique(truth_id[cont])
    covered = (dist[:, cont] <= tol).any(axis=0)
    coverage = [float(covered[truth_id[cont] == k].mean()) for k in ids]
    for i in range(len(pred)):
        if i in used_p:
            continue
        j = cont[np.argmin(dist[i, cont])]
        if dist[i, j] <= tol:
            err.append(dist[i, j])
            k = stability_class(pred_unstable[i], d)
            agree += k in (stability_class(truth_unstable[j], d), stability_class(truth_unstable[j] + 1, d))
    matched = len(err)
    return {
        "recall": (len(used_t) + sum(coverage)) / (len(iso) + len(ids)),
        "precision": matched / len(pred),
        "positionError": float(np.mean(err)) / scale,
        "stabilityAgreement": agree / matched,
        "coverage": coverage,
    }


rng = np.random.default_rng(20261203)
cases = []
for name, trials, bins, m in [("small", 2, 5, 3), ("medium", 4, 20, 6)]:
    true_rates = np.exp(rng.normal(-0.5, 0.7, size=(trials, bins, m)))
    spikes = rng.poisson(true_rates).astype(float)
    rates = np.round(true_rates * np.exp(rng.normal(0, 0.3, size=true_rates.shape)), 6)
    cases.append({
        "kind": "co-smoothing", "name": name, "m": m,
        "spikes": spikes.ravel().tolist(), "rates": rates.ravel().tolist(),
        "bitsPerSpike": bits_per_spike(rates, spikes), "devianceExplained": deviance_explained(rates, spikes),
    })
for name, rows, fit_rows, dp, dt in [("square", 40, 25, 3, 3), ("wider", 60, 40, 4, 2)]:
    truth = np.round(rng.normal(size=(rows, dt)), 6)
    mix = rng.normal(size=(dt, dp))
    pred = np.round(np.tanh(truth @ mix) + 0.1 * rng.normal(size=(rows, dp)) + 0.5, 6)
    cases.append({
        "kind": "affine-r2", "name": name, "fitRows": fit_rows, "dp": dp, "dt": dt,
        "pred": pred.ravel().tolist(), "truth": truth.ravel().tolist(), "r2": affine_r2(pred, truth, fit_rows),
    })
# Isolated points, a ring (continuum 1) and a segment (continuum 2); predictions scattered about them and the plane.
fp_rng = np.random.default_rng(15)
angles = 2 * np.pi * np.arange(90) / 90
truth = np.vstack([[[0.0, 0.0], [2.5, 2.5], [-2.5, 2.0]], np.c_[np.cos(angles), np.sin(angles)], np.c_[np.linspace(1.5, 3.5, 60), np.full(60, -2.0)]])
truth_unstable = np.r_[2, 0, 1, np.zeros(90), np.ones(60)]
truth_id = np.r_[0, 0, 0, np.ones(90), np.full(60, 2)].astype(int)
pick = np.r_[0, 1, 2, 1, fp_rng.choice(np.arange(3, len(truth)), 21)]  # every isolated point, one of them twice
pred = np.round(np.vstack([truth[pick] + fp_rng.normal(0, 0.08, (25, 2)), fp_rng.uniform(-3, 3, (10, 2))]), 6)
pred_unstable = fp_rng.integers(0, 3, len(pred)).astype(float)
cases.append({
    "kind": "fixed-points", "name": "isolated, ring and segment", "d": 2, "tolerance": 0.15, "scale": 1.3,
    "predicted": pred.ravel().tolist(), "predictedUnstable": pred_unstable.tolist(),
    "truth": truth.ravel().tolist(), "truthUnstable": truth_unstable.tolist(), "truthContinuum": truth_id.tolist(),
    **fixed_points(pred, pred_unstable, truth, truth_unstable, truth_id, 0.15, 1.3),
})
print(json.dumps({"generatedBy": f"numpy {np.__version__}: python3 tasks/latent-dynamics/reference.py (formulas in its docstring)", "cases": cases}, indent=1))
