#!/usr/bin/env python3
"""RankMe of the bundled tiny series over training, as a reference for Spectra's own numbers.

For every revision in examples/tiny-{pythia,olmo}/catalog.json: the final hidden state (after
the final norm) of the last token of each examples/probe.txt line, then RankMe = exp of the
Shannon entropy of the normalized singular values of that N × d matrix (Garrido et al. 2023,
docs/metrics.md's convention: no centering). Versions: tools/requirements-series.txt.
Usage: python tools/series_rankme.py
"""
import json
import pathlib

import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM

ROOT = pathlib.Path("examples")


def rankme(matrix):
    s = torch.linalg.svdvals(matrix.double())
    p = s / s.sum() + 1e-7
    return float(torch.exp(-(p * torch.log(p)).sum()))


def main():
    torch.set_num_threads(1)
    lines = (ROOT / "probe.txt").read_text(encoding="utf-8").splitlines()
    for model in ("tiny-pythia", "tiny-olmo"):
        catalog = json.loads((ROOT / model / "catalog.json").read_text())
        repo = ROOT / "hub" / ("models--" + catalog["repo"].replace("/", "--"))
        for rev in catalog["revisions"]:
            snap = repo / "snapshots" / (repo / "refs" / rev["name"]).read_text()
            tok = Tokenizer.from_file(str(snap / "tokenizer.json"))
            net = AutoModelForCausalLM.from_pretrained(snap, dtype=torch.float32).eval()
            rows = []
            with torch.no_grad():
                for line in lines:
                    ids = torch.tensor([tok.encode(line).ids[:128]])
                    rows.append(net(input_ids=ids, output_hidden_states=True).hidden_states[-1][0, -1])
            print(f"{model}\t{rev['name']}\t{rev['tokens']}\t{rankme(torch.stack(rows)):.2f}", flush=True)


if __name__ == "__main__":
    main()
