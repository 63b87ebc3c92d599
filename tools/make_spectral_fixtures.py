#!/usr/bin/env python3
"""Writes Tests/Fixtures/spectral: small matrices (.npy) and the values the reference
libraries compute for them (expected.json).

Oracles (versions pinned in tools/requirements-spectral.txt):
- covariance eigenvalues: scikit-learn PCA(svd_solver="full").explained_variance_ on
  the Float64 copy of X (docs/metrics.md: Spectra's reference is the Float64 value);
- RankMe and alpha-ReQ: reptrix (rankme.get_rank, alpha.get_powerlaw) on reptrix's
  own eigenspectrum (utils.get_eigenspectrum) of the Float64 X;
- Garrido's RankMe, participation ratio, stable rank, Renyi entropies: numpy, the
  formulas of docs/metrics.md (no library implements these conventions);
- weights: weightwatcher's analyze() on a torch Linear holding W (alpha, xmin, D,
  log_norm, spectral_norm, stable_rank) and get_ESD(); FARMS: weightwatcher's own
  pl_fit on the pooled ESD of the submatrices Spectra's FARMS doc comment describes.

Usage: python3 -m venv .venv && .venv/bin/pip install -r tools/requirements-spectral.txt
       .venv/bin/python tools/make_spectral_fixtures.py
"""
import json
import logging
import os
import sys

import numpy as np
import torch
import weightwatcher as ww
from weightwatcher.WW_powerlaw import pl_fit
from reptrix import alpha as reptrix_alpha
from reptrix import rankme as reptrix_rankme
from reptrix import utils as reptrix_utils
from sklearn.decomposition import PCA

logging.disable(logging.WARNING)
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "spectral")
MAX_COMPONENTS = 2048
rng = np.random.default_rng(20250601)


def orthogonal(n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def decaying(n, d, exponent):
    """Gaussian rows whose covariance eigenvalues decay like r^-exponent, rotated."""
    scales = np.arange(1, d + 1) ** (-exponent / 2)
    return (rng.standard_normal((n, d)) * scales) @ orthogonal(d).T


def representation_matrices():
    low_rank = rng.standard_normal((300, 10)) @ rng.standard_normal((10, 150)) * 0.5
    massive = decaying(400, 160, 1.0)
    massive[:, 37] = 100 + 40 * rng.standard_normal(400)  # one "massive activation" column
    # lambda ratio 1e8 along rotated directions: a graded (axis-aligned) spectrum would
    # be resolved by a Float32 Gram column by column and would not test the switch.
    illcond = (rng.standard_normal((400, 64)) * np.logspace(0, -4, 64)) @ orthogonal(64).T
    return {
        "gaussian": rng.standard_normal((300, 100)),
        "powerlaw": decaying(400, 150, 1.2) + 3.0,  # a nonzero mean to centre away
        "lowrank_noise": low_rank + 0.01 * rng.standard_normal((300, 150)),
        "massive_activation": massive,
        "wide": decaying(120, 300, 1.0),
        "ill_conditioned": illcond,
    }


def weight_matrices():
    return {
        "student_t": rng.standard_t(3, size=(300, 100)) * 0.05,
        "student_t_wide": rng.standard_t(2.5, size=(128, 384)) * 0.05,
        "gaussian_square": rng.standard_normal((200, 200)) / np.sqrt(200),
    }


def rankme_formula(values):
    p = values / values.sum() + 1e-7
    return float(np.exp(-(p * np.log(p)).sum()))


def renyi(sigma, a):
    p = sigma**2 / (sigma**2).sum()
    p = p[p > 0]
    if a == 1:
        return float(-(p * np.log(p)).sum())
    return float(np.log((p**a).sum()) / (1 - a))


def representation_expected(x64):
    n, d = x64.shape
    k = min(MAX_COMPONENTS, n, d)
    pca = PCA(n_components=k, svd_solver="full").fit(x64)
    eig = pca.explained_variance_
    ratio = reptrix_utils.get_eigenspectrum(activations_np=x64, max_eigenvals=MAX_COMPONENTS)
    alphas = {}
    for name, lo, hi in (("alpha_req", 12, 100), ("alpha_req_11_100", 11, 100)):
        trange = np.arange(lo - 1, min(hi, k))  # 0-based indices of 1-based ranks lo..hi
        alphas[name] = float(reptrix_alpha.get_powerlaw(eigen=ratio, trange=trange)[0])
    sigma = np.linalg.svd(x64, compute_uv=False)[:k]
    return {
        "shape": [n, d],
        "eigenvalues": eig.tolist(),
        "rankme": float(reptrix_rankme.get_rank(ratio)),
        "rankme_garrido": rankme_formula(sigma),
        **alphas,
        "participation_ratio": float(eig.sum() ** 2 / (eig**2).sum()),
        "stable_rank": float(eig.sum() / eig[0]),
        "renyi_entropy_1": renyi(sigma, 1),
        "renyi_entropy_2": renyi(sigma, 2),
    }


def farms_pooled(w):
    """The pooled ESD of Spectra's FARMS windows (aspect ratio 1, 50% overlap)."""
    tall = w if w.shape[0] >= w.shape[1] else w.T
    n, m = tall.shape
    c = m
    r = c

    def starts(length, window):
        if window >= length:
            return [0]
        s = list(range(0, length - window + 1, max(1, (window + 1) // 2)))
        return s if s[-1] == length - window else s + [length - window]

    pooled = [np.linalg.svd(tall[r0:r0 + r, c0:c0 + c].astype(np.float64), compute_uv=False) ** 2
              for r0 in starts(n, r) for c0 in starts(m, c)]
    return np.concatenate(pooled), len(pooled)


def weight_expected(w32):
    out_features, in_features = w32.shape
    model = torch.nn.Sequential(torch.nn.Linear(in_features, out_features, bias=False))
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(w32))
    watcher = ww.WeightWatcher(model=model)
    row = watcher.analyze().iloc[0]
    esd = np.sort(watcher.get_ESD())[::-1]
    pooled, count = farms_pooled(w32)
    farms = pl_fit(data=pooled[pooled > 1e-5], xmax=None)
    return {
        "shape": list(w32.shape),
        "esd": esd.tolist(),
        "powerlaw_alpha": float(row["alpha"]),
        "powerlaw_xmin": float(row["xmin"]),
        "powerlaw_ks_distance": float(row["D"]),
        "ww_spectral_norm": float(row["spectral_norm"]),
        "log_norm": float(row["log_norm"]),
        "log_spectral_norm": float(row["log_spectral_norm"]),
        "stable_rank": float(row["stable_rank"]),
        "alpha_weighted": float(row["alpha_weighted"]),
        "farms_alpha": float(farms.alpha),
        "farms_xmin": float(farms.xmin),
        "farms_ks_distance": float(farms.D),
        "farms_submatrices": count,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {"generator": "tools/make_spectral_fixtures.py", "versions": {
        "numpy": np.__version__, "torch": torch.__version__, "weightwatcher": ww.__version__,
        "scikit-learn": __import__("sklearn").__version__, "reptrix": "0.1.0"},
        "representations": {}, "weights": {}}
    for name, x in representation_matrices().items():
        x32 = x.astype(np.float32)
        np.save(os.path.join(OUT, f"{name}.npy"), x32)
        expected["representations"][name] = representation_expected(x32.astype(np.float64))
    # The same powerlaw matrix in Fortran order and Float64, for the .npy reader.
    x = np.load(os.path.join(OUT, "powerlaw.npy"))
    np.save(os.path.join(OUT, "powerlaw_f64_fortran.npy"), np.asfortranarray(x.astype(np.float64)))
    for name, w in weight_matrices().items():
        w32 = w.astype(np.float32)
        np.save(os.path.join(OUT, f"weight_{name}.npy"), w32)
        expected["weights"][name] = weight_expected(w32)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
