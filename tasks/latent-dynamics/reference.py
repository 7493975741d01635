"""Reference values of T8's scores, computed outside Cajal: python3 tasks/latent-dynamics/reference.py > tasks/latent-dynamics/reference.numpy.json

bits_per_spike follows nlb_tools.evaluation.bits_per_spike (Pei et al. 2021): the Poisson negative log-likelihood of
the predicted rates and of each neuron's mean rate over the evaluated data, (nll_null − nll_model) / spikes / ln 2;
scipy.special.gammaln is math.lgamma here (nlb_tools and scipy are not installed on this machine). Deviance explained
is 1 − D(model)/D(null) with the Poisson deviance 2·Σ[k·log(k/λ) − (k − λ)]. The affine-aligned R² is numpy.linalg.lstsq
of the true latents on [predicted, 1] over the fit rows, scored on the other rows as sklearn.metrics.r2_score(...,
multioutput="variance_weighted") defines it (1 − Σ residual² / Σ (y − ȳ)², pooled over the columns).
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
print(json.dumps({"generatedBy": f"numpy {np.__version__}: python3 tasks/latent-dynamics/reference.py (formulas in its docstring)", "cases": cases}, indent=1))
