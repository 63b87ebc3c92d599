#!/usr/bin/env python3
"""Generate Tests/Fixtures/torch: PyTorch checkpoints as torch.save writes them, and hostile ones.

Pinned (tools/requirements-torch.txt): Python 3.11, torch 2.13.0+cpu, transformers 5.23.0,
safetensors 0.8.0, numpy 2.4.6. Nothing here is loaded by Spectra with pickle; the hostile
files exist so the Swift reader can be shown to refuse them without running anything.

Writes, under --out (default Tests/Fixtures/torch):
  views.bin           an OrderedDict of F32/F16/BF16/F64/bool tensors sharing storages: a 3 × 4
                      matrix, its transpose (a non-contiguous view), a slice with a storage
                      offset, a BF16 nn.Parameter, a 0-d scalar, and an empty tensor
  views.json          each tensor's shape and values as torch reads them (the oracle), flattened
                      row-major after .double(); the bool tensor is listed by shape only
  linear.bin, linear.json  torch.save(nn.Linear(3, 2).state_dict()) as is: its pickle ends
                      with BUILD setting the OrderedDict's _metadata; the oracle as for views
  neox/               a tiny random GPTNeoXForCausalLM: config.json, model.safetensors, and the
                      same state dict as pytorch_model-0000{1,2}-of-00002.bin with
                      pytorch_model.bin.index.json (transformers' sharded layout)
  legacy.bin          the pre-1.6 (non-zip) torch.save format
  deflated.bin        views.bin rewritten with every entry deflate-compressed
  reduce-os-system.bin  data.pkl is a pickle whose __reduce__ calls os.system (never run)
  global-numpy.bin    a state dict holding a numpy array: a GLOBAL of another module
  oversized-storage.bin  views.bin with the first storage's element count raised past its entry
"""
import argparse
import collections
import io
import json
import os
import pathlib
import pickle
import zipfile

import numpy as np
import torch
import transformers
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARKER = "/tmp/spectra-torch-fixture-executed"


def views_state_dict():
    torch.manual_seed(0)
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 4 - 1
    sd = collections.OrderedDict()
    sd["matrix"] = base
    sd["matrix_t"] = base.t()
    sd["corner"] = base[1:, 2:]
    sd["half"] = torch.randn(2, 3).to(torch.float16)
    sd["param"] = torch.nn.Parameter(torch.randn(5).to(torch.bfloat16), requires_grad=False)
    sd["double"] = torch.randn(2, 2, dtype=torch.float64)
    sd["scalar"] = torch.tensor(2.5)
    sd["empty"] = torch.zeros(0, 3)
    sd["mask"] = torch.ones(2, 2, dtype=torch.bool).tril()
    return sd


def write_oracle(sd, path):
    """Each tensor's shape, dtype, contiguity and (unless bool) values as torch reads them."""
    oracle = {}
    for name, tensor in sd.items():
        entry = {"shape": list(tensor.shape), "dtype": str(tensor.dtype).removeprefix("torch."),
                 "contiguous": tensor.is_contiguous()}
        if tensor.dtype != torch.bool:
            entry["values"] = tensor.detach().double().flatten().tolist()
        oracle[name] = entry
    path.write_text(json.dumps(oracle, indent=1) + "\n")


def write_zip_copy(source, target, transform):
    """Copies every entry of `source` into `target` through `transform(name, data, info)`."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            name, data, compression = transform(info.filename, zin.read(info.filename), info)
            zout.writestr(zipfile.ZipInfo(name, info.date_time), data, compress_type=compression)


class RunsShell:
    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "Tests/Fixtures/torch")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)

    sd = views_state_dict()
    torch.save(sd, out / "views.bin")
    write_oracle(sd, out / "views.json")
    torch.manual_seed(2)
    linear = torch.nn.Linear(3, 2).state_dict()
    assert hasattr(linear, "_metadata")
    torch.save(linear, out / "linear.bin")
    write_oracle(linear, out / "linear.json")

    torch.save(sd, out / "legacy.bin", _use_new_zipfile_serialization=False)
    write_zip_copy(out / "views.bin", out / "deflated.bin",
                   lambda name, data, info: (name, data, zipfile.ZIP_DEFLATED))

    # The hostile pickle stands in for data.pkl of an otherwise ordinary archive.
    def hostile(payload):
        return lambda name, data, info: (name, payload if name.endswith("/data.pkl") else data,
                                         zipfile.ZIP_STORED)
    write_zip_copy(out / "views.bin", out / "reduce-os-system.bin",
                   hostile(pickle.dumps({"matrix": RunsShell()}, protocol=2)))
    torch.save({"matrix": np.zeros(3, dtype=np.float32)}, out / "global-numpy.bin")

    def oversized(name, data, info):
        if name.endswith("/data.pkl"):
            # The first storage tuple is ('storage', FloatStorage, '0', 'cpu', 12): BININT1 12
            # then TUPLE; 200 elements would need 800 bytes where data/0 holds 48.
            needle = b"X\x03\x00\x00\x00cpuq\x07K\x0ct"
            assert data.count(needle) == 1, "torch.save's pickle changed; update the patch"
            data = data.replace(needle, b"X\x03\x00\x00\x00cpuq\x07K\xc8t")
        return name, data, zipfile.ZIP_STORED
    write_zip_copy(out / "views.bin", out / "oversized-storage.bin", oversized)

    neox = out / "neox"
    neox.mkdir(exist_ok=True)
    config = transformers.GPTNeoXConfig(hidden_size=8, num_attention_heads=2, num_hidden_layers=2,
                                        intermediate_size=32, vocab_size=16, max_position_embeddings=32,
                                        tie_word_embeddings=False)
    torch.manual_seed(1)
    model = transformers.GPTNeoXForCausalLM(config).eval()
    model.config.to_json_file(neox / "config.json")
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, neox / "model.safetensors", metadata={"format": "pt"})
    names = list(state)
    shards = {"pytorch_model-00001-of-00002.bin": names[: len(names) // 2],
              "pytorch_model-00002-of-00002.bin": names[len(names) // 2:]}
    weight_map = {}
    for shard, keys in shards.items():
        torch.save(collections.OrderedDict((k, state[k]) for k in keys), neox / shard)
        weight_map.update({k: shard for k in keys})
    total = sum(t.numel() * t.element_size() for t in state.values())
    (neox / "pytorch_model.bin.index.json").write_text(
        json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2) + "\n")
    assert not os.path.exists(MARKER)


if __name__ == "__main__":
    main()
