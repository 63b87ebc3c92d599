#!/usr/bin/env python3
"""Spectra's tokenizer against HF `tokenizers` on the same text, one thread, in one run.

Text: the Python 3.11 documentation sources from Debian's python3.11-doc (11 MB of English
reST, PSF License), concatenated in sorted path order, unless --text is given.
Tokenizers: GPT-NeoX-20B's real 50k tokenizer and the two trained 4k fixtures (GPT-2 and
OLMo-2 / cl100k pre-tokenization), all from Tests/Fixtures/tokenizer. For each, rounds alternate between the contenders so that load
from other processes on this shared machine falls on both alike; medians are reported.

  HF line     Tokenizer.encode(line) for every line (RAYON_NUM_THREADS=1)
  HF batch    Tokenizer.encode_batch(lines) with one rayon thread
  Spectra     TokenEncoder.encode(line) for every line (tokenizer-bench, release build)
  spectra CLI `spectra tokenize TOKENIZER TEXT` to /dev/null: process start, loading,
              reading, encoding and printing every id

Every contender must produce the same total number of tokens, or the script stops.
Usage (from the repository root, after pip install -r tools/requirements-tokenizer.txt):
  swift build -c release --product spectra && swift build -c release --product tokenizer-bench
  RAYON_NUM_THREADS=1 .venv/bin/python tools/bench/tokenizer/bench.py
"""

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import time

os.environ["RAYON_NUM_THREADS"] = "1"  # before tokenizers starts its thread pool
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import tokenizers  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

DOCS = pathlib.Path("/usr/share/doc/python3.11/html/_sources")
FIXTURES = pathlib.Path("Tests/Fixtures/tokenizer")


def build_text(path):
    files = sorted(DOCS.rglob("*.txt"))
    if not files:
        raise SystemExit(f"no text under {DOCS}: apt-get install python3.11-doc, or pass --text")
    path.write_bytes(b"".join(f.read_bytes() for f in files))


def hf_line(tok, lines):
    # Only the calls are timed; turning ids into Python lists is left out (counted by batch).
    encode = tok.encode
    start = time.perf_counter()
    for line in lines:
        encode(line)
    return time.perf_counter() - start, None


def hf_batch(tok, lines):
    start = time.perf_counter()
    count = sum(len(e.ids) for e in tok.encode_batch(lines))
    return time.perf_counter() - start, count


def spectra(tokenizer, text):
    out = subprocess.run([".build/release/tokenizer-bench", str(tokenizer), str(text), "1"],
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    return result["encode_s"], result["tokens"]


def spectra_cli(tokenizer, text):
    start = time.perf_counter()
    out = subprocess.run([".build/release/spectra", "tokenize", str(tokenizer), str(text)],
                         check=True, capture_output=True).stdout
    return time.perf_counter() - start, len(out.split())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", type=pathlib.Path, default=pathlib.Path("/tmp/spectra-bench-docs.txt"))
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not args.text.exists():
        build_text(args.text)
    data = args.text.read_bytes()
    lines = data.decode("utf-8").split("\n")
    megabytes = len(data) / 1e6
    print(f"text {args.text}: {megabytes:.2f} MB, {len(lines)} lines; tokenizers {tokenizers.__version__}; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; one thread each")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name in ["gpt-neox.json", "tokenizer.json", "tokenizer-cl100k.json"]:
        path = FIXTURES / name
        tok = Tokenizer.from_file(str(path))
        contenders = {
            "HF line": lambda: hf_line(tok, lines),
            "HF batch": lambda: hf_batch(tok, lines),
            "Spectra": lambda: spectra(path, args.text),
            "spectra CLI": lambda: spectra_cli(path, args.text),
        }
        times = {k: [] for k in contenders}
        counts = {}
        for _ in range(args.rounds):
            for key, run in contenders.items():
                seconds, count = run()
                times[key].append(seconds)
                if count is not None:
                    counts[key] = count
        if len(set(counts.values())) != 1:
            raise SystemExit(f"{name}: token counts differ: {counts}")
        rate = {k: megabytes / statistics.median(v) for k, v in times.items()}
        print(f"\n{name} (vocab {tok.get_vocab_size()}), {counts['Spectra']} tokens, median of {args.rounds}:")
        for key, value in rate.items():
            print(f"  {key:12s} {value:7.2f} MB/s   ×{value / rate['HF line']:.2f} of HF line")
        print(f"  Spectra / HF line {rate['Spectra'] / rate['HF line']:.2f}, "
              f"Spectra / HF batch {rate['Spectra'] / rate['HF batch']:.2f}")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
