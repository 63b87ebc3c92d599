#!/usr/bin/env python3
"""Times Spectra's spectral engine against the peers a researcher would run, in one run
on the same matrices, and prints a Markdown table (see BENCHMARKS.md).

Language-model-like matrices (outlier directions over a power-law bulk, nonzero means)
and the end-to-end `spectra spectrum` comparison are in tools/bench/lm_spectra.py; pass
--lm N:D:ALPHA:RATIO here to time this driver's peers on such a matrix instead.

Peers: numpy center + Gram + eigvalsh (float32 and float64), scikit-learn
PCA(svd_solver="full") (the paper's method) and randomized_svd(k=256). Spectra: the
exact path (auto precision, and forced float32) and the randomized path at rank 256
(subspace iteration and block Krylov), through tools/bench/spectra-bench, which calls
the product's LinearAlgebra build. Accuracy: max relative error of the top 100
eigenvalues against the Float64 exact spectrum (numpy float64 Gram), or, where an exact
Float64 solve would take many minutes (15000 x 20480), against Spectra's block Krylov
with 12 iterations of 96 columns (its top-100 values agree with the default's to 2e-9).

Environment: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are set explicitly (default
Haswell / 512, as the machine environment forces) for both numpy's OpenBLAS and
Spectra's, with 2 threads; --coretype unset removes them.

Usage: python tools/bench/spectral_bench.py [--sizes 20000x2048,15000x4096] [--repeats 3]
       [--coretype Haswell|unset] [--skip pca_full,...] [--json out.json]
Needs numpy, scikit-learn (tools/requirements-spectral.txt) and
`swift build -c release --product spectra && sh tools/bench/build_bench.sh`.
"""
import argparse
import json
import os
import subprocess
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--sizes", default="20000x2048,15000x4096")
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--coretype", default="Haswell")
parser.add_argument("--skip", default="exact64")
parser.add_argument("--only", default="")
parser.add_argument("--json", default="")
parser.add_argument("--data", default="/tmp/spectra-bench")
parser.add_argument("--reference", default="auto", help="auto | numpy64 | krylov")
parser.add_argument("--lm", default="", help="NxD:ALPHA:RATIO, comma-separated: language-model-like matrices")
args = parser.parse_args()

# Before numpy is imported: its OpenBLAS reads these at load time.
if args.coretype == "unset":
    os.environ.pop("OPENBLAS_CORETYPE", None)
    os.environ.pop("OPENBLAS_L2_SIZE", None)
else:
    os.environ["OPENBLAS_CORETYPE"] = args.coretype
    os.environ["OPENBLAS_L2_SIZE"] = "512"
os.environ["OPENBLAS_NUM_THREADS"] = "2"

import numpy as np  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.utils.extmath import randomized_svd  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
BENCH = os.path.join(ROOT, ".build", "release", "spectra-bench")
TOP = 100


def matrix(n, d):
    """N x d float32, column j scaled by (j+1)^-1/2: covariance eigenvalues ~ 1/r."""
    os.makedirs(args.data, exist_ok=True)
    path = os.path.join(args.data, f"powerlaw_{n}x{d}.npy")
    if not os.path.exists(path):
        rng = np.random.default_rng(n * 100003 + d)
        x = np.empty((n, d), dtype=np.float32)
        scales = (np.arange(1, d + 1, dtype=np.float32) ** -0.5)
        for start in range(0, n, 1000):
            block = rng.standard_normal((min(1000, n - start), d), dtype=np.float32)
            x[start:start + block.shape[0]] = block * scales + 0.1
        np.save(path, x)
    return path


def timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2], out


def numpy_eigvalsh(x, dtype):
    xc = (x - x.mean(axis=0, dtype=np.float64).astype(x.dtype)).astype(dtype, copy=False)
    small = xc.T @ xc if xc.shape[1] <= xc.shape[0] else xc @ xc.T  # numpy uses syrk here
    return np.linalg.eigvalsh(small)[::-1][:2048] / (x.shape[0] - 1)


def pca_full(x):
    k = min(2048, *x.shape)
    return PCA(n_components=k, svd_solver="full").fit(x).explained_variance_


def sklearn_randomized(x):
    xc = x - x.mean(axis=0, dtype=np.float64).astype(x.dtype)
    _, s, _ = randomized_svd(xc, 256, random_state=0)
    return s.astype(np.float64) ** 2 / (x.shape[0] - 1)


def spectra(path, repeats, *flags):
    out = path + ".eig"
    line = subprocess.run([BENCH, path, "--repeats", str(repeats), "--out", out, *flags],
                          check=True, capture_output=True, text=True, env=os.environ).stdout
    info = json.loads(line.strip().splitlines()[-1])
    return info["seconds"], np.fromfile(out, dtype=np.float64), info


def rel_error(values, reference):
    k = min(TOP, len(values), len(reference))
    return float(np.max(np.abs(values[:k] - reference[:k]) / reference[:k]))


def main():
    skip = set(filter(None, args.skip.split(",")))
    only = set(filter(None, args.only.split(",")))
    wanted = lambda name: name not in skip and (not only or name in only)  # noqa: E731
    gemm = json.loads(subprocess.run([BENCH, "--gemm", "4096"], check=True, capture_output=True,
                                     text=True).stdout)
    report = {"env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")},
              "numpy": np.__version__, "sgemm_4096_gflops": gemm["gflops"], "sizes": {}}
    print(json.dumps(report["env"]), f"spectra sgemm 4096: {gemm['gflops']:.0f} GFLOP/s", file=sys.stderr)
    specs = args.lm.split(",") if args.lm else args.sizes.split(",")
    for size in specs:
        if args.lm:
            sys.path.insert(0, os.path.dirname(__file__))
            from lm_spectra import lm_matrix  # noqa: E402
            shape, alpha, ratio = size.split(":")
            n, d = map(int, shape.split("x"))
            path = os.path.join(args.data, f"lm_{n}x{d}_a{alpha}_r{ratio}.npy")
            os.makedirs(args.data, exist_ok=True)
            if not os.path.exists(path):
                lm_matrix(path, n, d, float(alpha), float(ratio))
        else:
            n, d = map(int, size.split("x"))
            path = matrix(n, d)
        x = np.load(path)
        big = min(n, d) > 8192
        reps = 1 if big else args.repeats
        rows = {}
        if d <= n:
            syrk = json.loads(subprocess.run([BENCH, "--syrk", str(n), str(d)], check=True, capture_output=True,
                                             text=True).stdout)
            report.setdefault("ssyrk_gflops", {})[size] = syrk["gflops"]
            print(size, f"spectra ssyrk {syrk['gflops']:.0f} GFLOP/s", file=sys.stderr)
        reference = None
        if not big and args.reference in ("auto", "numpy64"):
            t, reference = timed(lambda: numpy_eigvalsh(x, np.float64), reps)
            rows["numpy float64 Gram + eigvalsh"] = {"seconds": t, "error": 0.0}
        if reference is None:
            _, reference, info = spectra(path, 1, "--method", "randomized", "--rank", "256",
                                         "--algorithm", "krylov", "--iterations", "12", "--block", "96")
            report.setdefault("reference_bound", {})[size] = info["error_estimate"]
        peers = [("numpy float32 Gram + eigvalsh", lambda: numpy_eigvalsh(x, np.float32), "numpy32"),
                 ("sklearn PCA(full)", lambda: pca_full(x), "pca_full"),
                 ("sklearn randomized_svd(k=256)", lambda: sklearn_randomized(x), "randomized_svd")]
        for label, fn, key in peers:
            if not wanted(key):
                continue
            t, values = timed(fn, 1 if (big or key == "pca_full") and reps == 1 else reps)
            rows[label] = {"seconds": t, "error": rel_error(values, reference)}
            print(size, label, rows[label], file=sys.stderr)
        runs = [("Spectra exact (auto precision)", ("--method", "exact"), "exact"),
                ("Spectra exact float32", ("--method", "exact", "--precision", "float32"), "exact32"),
                ("Spectra exact float64", ("--method", "exact", "--precision", "float64"), "exact64"),
                ("Spectra randomized k=256 (default: block Krylov, blocks of 89, q=6)",
                 ("--method", "randomized", "--rank", "256"), "krylov"),
                ("Spectra randomized k=256, block Krylov blocks of 266, q=3",
                 ("--method", "randomized", "--rank", "256", "--iterations", "3", "--block", "266"), "krylov266"),
                ("Spectra randomized k=256, subspace q=4, p=64", ("--method", "randomized", "--rank", "256",
                                                                 "--algorithm", "subspace", "--iterations", "4",
                                                                 "--oversampling", "64"), "subspace")]
        for label, flags, key in runs:
            if not wanted(key):
                continue
            t, values, info = spectra(path, reps, *flags)
            rows[label] = {"seconds": t, "error": rel_error(values, reference), "precision": info["precision"],
                           "error_estimate": info["error_estimate"]}
            print(size, label, rows[label], file=sys.stderr)
        report["sizes"][size] = rows
        del x
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    print(markdown(report))


def markdown(report):
    """One Markdown table per size: time, speed-up over each peer, top-100 error."""
    lines = []
    for size, rows in report["sizes"].items():
        numpy32 = rows.get("numpy float32 Gram + eigvalsh", {}).get("seconds")
        pca = rows.get("sklearn PCA(full)", {}).get("seconds")
        rsvd = rows.get("sklearn randomized_svd(k=256)", {}).get("seconds")
        lines += [f"### {size}", "", "| method | seconds | vs numpy f32 | vs PCA(full) | vs randomized_svd "
                  "| top-100 max rel. error | a-posteriori bound |", "|---|---|---|---|---|---|---|"]
        for label, row in rows.items():
            t = row["seconds"]
            ratio = lambda peer: f"{peer / t:.2f}x" if peer else "-"  # noqa: E731
            bound = row.get("error_estimate")
            lines.append(f"| {label} | {t:.2f} | {ratio(numpy32)} | {ratio(pca)} | {ratio(rsvd)} | "
                         f"{row['error']:.1e} | {'-' if bound is None else f'{bound:.1e}'} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
