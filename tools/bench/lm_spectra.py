#!/usr/bin/env python3
"""Language-model-like representation matrices and the exact-path benchmark on them.

A matrix here is what pooled hidden states of a transformer look like spectrally: a
power-law bulk (covariance eigenvalues ∝ r^-alpha along randomly rotated directions), a
few massive outlier directions (mostly single channels, as "massive activations" are)
whose variance sits `ratio` times above the bulk's largest, and column means that are
nonzero everywhere and large on the outlier channels. lambda_1 / lambda_2048 is then
about ratio * 2048^alpha.

Timed, each as its own process (start-up and file load included), alternating, median
of --repeats: numpy float64 (centre, Gram, eigvalsh), `spectra spectrum --method exact
--json` (every default metric), and scikit-learn PCA(svd_solver="full") once per size.
Accuracy against the float64 truth: the top 100 eigenvalues, RankMe, alpha-ReQ (ranks
12..100) and Garrido's RankMe (raw singular values, from numpy's float64 eigvalsh of
X^T X, untimed).

Usage: python tools/bench/lm_spectra.py [--sizes 20000x2048:1.8:100,...] [--repeats 3]
       [--data /tmp/spectra-bench] [--json out.json] [--activations FILE.npy]
The OpenBLAS environment is inherited unchanged by every process (say which in the
report); OPENBLAS_NUM_THREADS=2 is set for all of them.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPECTRA = os.path.join(ROOT, ".build", "release", "spectra")
K = 2048

NUMPY_PEER = """
import sys, numpy as np
x = np.load(sys.argv[1])
xc = x.astype(np.float64) - x.mean(axis=0, dtype=np.float64)
g = xc.T @ xc if xc.shape[1] <= xc.shape[0] else xc @ xc.T
w = np.linalg.eigvalsh(g)[::-1][:2048] / (x.shape[0] - 1)
w.tofile(sys.argv[2])
"""

PCA_PEER = """
import sys, numpy as np
from sklearn.decomposition import PCA
x = np.load(sys.argv[1])
PCA(n_components=min(2048, *x.shape), svd_solver="full").fit(x)
"""


def lm_matrix(path, n, d, alpha, ratio, seed=0, outliers=3):
    """Writes an n x d float32 LM-like matrix to `path` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    lam = np.arange(1, d + 1, dtype=np.float64) ** -alpha
    rotation, _ = np.linalg.qr(rng.standard_normal((d, d)))
    rotation = rotation.astype(np.float32)
    channels = rng.choice(d, outliers, replace=False)
    directions = np.zeros((d, outliers))
    for j, c in enumerate(channels):
        u = 0.1 * rng.standard_normal(d) / np.sqrt(d)
        u[c] += 1
        directions[:, j] = u / np.linalg.norm(u)
    spreads = np.sqrt(ratio * lam[0] * 0.5 ** np.arange(outliers))
    means = 0.5 * rng.standard_normal(d) * np.sqrt(lam[0])
    means[channels] += 5 * spreads
    x = np.lib.format.open_memmap(path + ".tmp", mode="w+", dtype=np.float32, shape=(n, d))
    scale = np.sqrt(lam).astype(np.float32)
    for start in range(0, n, 2000):
        rows = min(2000, n - start)
        block = (rng.standard_normal((rows, d), dtype=np.float32) * scale) @ rotation.T
        block += (rng.standard_normal((rows, outliers)) * spreads) @ directions.T
        x[start:start + rows] = block + means
    x.flush()
    del x
    os.replace(path + ".tmp", path)


def rankme(values):
    p = values / values.sum() + 1e-7
    return float(np.exp(-(p * np.log(p)).sum()))


def alpha_req(values, lo=12, hi=100):
    r = np.arange(lo, hi + 1)
    x, y, w = -np.log(r), np.log(values[lo - 1:hi]), 1 / r
    mx, my = (w * x).sum() / w.sum(), (w * y).sum() / w.sum()
    return float((w * (x - mx) * (y - my)).sum() / (w * (x - mx) ** 2).sum())


def truth(path):
    """Float64 truth: centered eigenvalues (top K) and raw singular values (top K)."""
    x = np.load(path).astype(np.float64)
    xc = x - x.mean(axis=0)
    small = (lambda a: a.T @ a) if x.shape[1] <= x.shape[0] else (lambda a: a @ a.T)
    centered = np.linalg.eigvalsh(small(xc))[::-1][:K] / (x.shape[0] - 1)
    raw = np.sqrt(np.maximum(np.linalg.eigvalsh(small(x))[::-1][:K], 0))
    return centered, raw


def wall(cmd):
    t = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return time.perf_counter() - t, out.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="20000x2048:1.8:100,12000x3072:1.5:30,15000x4096:1.0:100",
                        help="NxD:ALPHA:RATIO, comma-separated")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", default="/tmp/spectra-bench")
    parser.add_argument("--json", default="")
    parser.add_argument("--skip-pca", action="store_true")
    parser.add_argument("--skip-truth", action="store_true", help="time only (no float64 truth, no accuracy)")
    parser.add_argument("--activations", default="", help="also run on this .npy (real activations)")
    args = parser.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = "2"
    os.makedirs(args.data, exist_ok=True)
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")}
    print(json.dumps(env), file=sys.stderr)
    cases = []
    for spec in args.sizes.split(","):
        size, alpha, ratio = spec.split(":")
        n, d = map(int, size.split("x"))
        path = os.path.join(args.data, f"lm_{n}x{d}_a{alpha}_r{ratio}.npy")
        if not os.path.exists(path):
            lm_matrix(path, n, d, float(alpha), float(ratio))
        cases.append((f"{n} x {d}, alpha {alpha}, outliers x{ratio}", path))
    if args.activations:
        cases.append((f"activations {os.path.basename(args.activations)}", args.activations))
    report = {"env": env, "cases": {}}
    for label, path in cases:
        want, want_raw = (None, None) if args.skip_truth else truth(path)
        eig_out = path + ".numpy64"
        numpy_times, spectra_times, outputs = [], [], []
        for _ in range(args.repeats):
            t, _ = wall([sys.executable, "-c", NUMPY_PEER, path, eig_out])
            numpy_times.append(t)
            t, out = wall([SPECTRA, "spectrum", path, "--method", "exact", "--json"])
            spectra_times.append(t)
            outputs.append(out)
        got = json.loads(outputs[-1])
        values = np.array(got["eigenvalues"])
        m = got["metrics"]
        row = {
            "numpy64": float(np.median(numpy_times)), "numpy64_all": numpy_times,
            "spectra": float(np.median(spectra_times)), "spectra_all": spectra_times,
            "load": os.getloadavg()[0],
        }
        if want is not None:
            row.update({
                # Over the resolved (nonzero) eigenvalues: with N < d the rest are zero.
                "kappa": float(want[0] / want[min(K, int(np.sum(want > want[0] * 1e-12))) - 1]),
                "top100": float(np.max(np.abs(values[:100] - want[:100]) / want[:100])),
                "rankme": abs(m["rankme"] / rankme(want) - 1),
                "alpha_req": abs(m["alpha_req"] / alpha_req(want) - 1),
                "rankme_garrido": abs(m["rankme_garrido"] / rankme(want_raw) - 1),
                "tail_max": float(np.max(np.abs(values - want[:len(values)]) / want[:len(values)])),
            })
        if not args.skip_pca:
            row["pca_full"], _ = wall([sys.executable, "-c", PCA_PEER, path])
        report["cases"][label] = row
        print(label, json.dumps(row), file=sys.stderr, flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    print("| matrix | κ (λ₁/λ₂₀₄₈) | numpy f64 s | Spectra exact s | vs numpy f64 | PCA(full) s | vs PCA | "
          "top-100 err | RankMe err | α-ReQ err | Garrido err |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, r in report["cases"].items():
        pca = r.get("pca_full")
        pca_s = "-" if pca is None else f"{pca:.1f}"
        pca_ratio = "-" if pca is None else f"{pca / r['spectra']:.1f}×"
        acc = lambda key, f=".1e": format(r[key], f) if key in r else "-"  # noqa: E731
        print(f"| {label} | {acc('kappa')} | {r['numpy64']:.2f} | {r['spectra']:.2f} | "
              f"{r['numpy64'] / r['spectra']:.2f}× | {pca_s} | {pca_ratio} | {acc('top100')} | {acc('rankme')} | "
              f"{acc('alpha_req')} | {acc('rankme_garrido')} |")


if __name__ == "__main__":
    main()
