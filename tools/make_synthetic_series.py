#!/usr/bin/env python3
"""Generate examples/tiny-pythia: a synthetic GPT-NeoX-shaped checkpoint series.

The weights are NOT from any trained model. Each 2-D weight matrix at training step s is

    W(s) = (1 - 0.4 t) W0 + 0.6 t T + t^1.5 A U diag(k^-beta) V^T,     t = log1p(s) / log1p(s_max)

where W0 is the Gaussian initialization (std 0.02, the GPT-NeoX initializer_range), T an
elementwise heavy-tailed Student-t matrix (df 2.5, scaled to std 0.02), and the last term a
sum of rank-one terms on orthonormal directions U, V with power-law decaying strengths
(k = 1..min(n, m)). W0, T, U and V depend only on the tensor name and the seed, so a
matrix evolves continuously across revisions: its eigenvalue spectrum (ESD of W^T W) starts
as a Marchenko-Pastur bulk at step 0 and grows a heavy power-law tail over "training".
Biases start at zero and layer norms at one, then drift by small Gaussian amounts.

Output per revision: config.json (a Hugging Face GPTNeoXForCausalLM config) and
model.safetensors (F16, written by hand below: 8-byte little-endian header length, JSON
header padded with spaces to a multiple of 8, tensors back to back in name order).
Beside them: catalog.json and checksums.json (float64 sum and sum of squares of each
tensor's stored F16 values, computed by numpy: an oracle independent of Spectra's reader).

Deterministic: the same numpy version and seed give byte-identical files.
Usage: python3 tools/make_synthetic_series.py [--out examples/tiny-pythia] [--seed 1234]
"""

import argparse
import json
import math
import pathlib
import struct
import zlib

import numpy as np

HIDDEN = 64
LAYERS = 4
HEADS = 4
INTERMEDIATE = 256
VOCAB = 256
MAX_POSITIONS = 2048
TOKENS_PER_STEP = 2_097_152  # Pythia: 1024 sequences x 2048 tokens per step
INIT_STD = 0.02
# Twelve revisions from Pythia's schedule: step0, log-spaced powers of two, then thousands.
STEPS = [0, 1, 4, 16, 64, 256, 512, 1000, 3000, 10000, 33000, 143000]
SPIKE_AMPLITUDE = 0.9
SPIKE_DECAY = 0.45  # singular values k^-0.45: ESD tail exponent near 1 + 1/(2 * 0.45) ~ 2.1
STUDENT_DF = 2.5


def config() -> dict:
    return {
        "architectures": ["GPTNeoXForCausalLM"],
        "attention_bias": True,
        "attention_dropout": 0.0,
        "bos_token_id": 0,
        "classifier_dropout": 0.1,
        "eos_token_id": 0,
        "hidden_act": "gelu",
        "hidden_dropout": 0.0,
        "hidden_size": HIDDEN,
        "initializer_range": INIT_STD,
        "intermediate_size": INTERMEDIATE,
        "layer_norm_eps": 1e-05,
        "max_position_embeddings": MAX_POSITIONS,
        "model_type": "gpt_neox",
        "num_attention_heads": HEADS,
        "num_hidden_layers": LAYERS,
        "rope_scaling": None,
        "rotary_emb_base": 10000,
        "rotary_pct": 0.25,
        "tie_word_embeddings": False,
        "torch_dtype": "float16",
        "transformers_version": "4.40.0",
        "use_cache": True,
        "use_parallel_residual": True,
        "vocab_size": VOCAB,
    }


def tensor_shapes() -> dict:
    """Every tensor of HF GPTNeoXForCausalLM's state dict (without non-persistent buffers)."""
    shapes = {"gpt_neox.embed_in.weight": (VOCAB, HIDDEN)}
    for i in range(LAYERS):
        p = f"gpt_neox.layers.{i}"
        for norm in ("input_layernorm", "post_attention_layernorm"):
            shapes[f"{p}.{norm}.weight"] = (HIDDEN,)
            shapes[f"{p}.{norm}.bias"] = (HIDDEN,)
        for name, out_dim, in_dim in (
            ("attention.query_key_value", 3 * HIDDEN, HIDDEN),
            ("attention.dense", HIDDEN, HIDDEN),
            ("mlp.dense_h_to_4h", INTERMEDIATE, HIDDEN),
            ("mlp.dense_4h_to_h", HIDDEN, INTERMEDIATE),
        ):
            shapes[f"{p}.{name}.weight"] = (out_dim, in_dim)
            shapes[f"{p}.{name}.bias"] = (out_dim,)
    shapes["gpt_neox.final_layer_norm.weight"] = (HIDDEN,)
    shapes["gpt_neox.final_layer_norm.bias"] = (HIDDEN,)
    shapes["embed_out.weight"] = (VOCAB, HIDDEN)
    return shapes


def progress(step: int) -> float:
    return math.log1p(step) / math.log1p(STEPS[-1])


def rng_for(seed: int, name: str) -> np.random.Generator:
    # crc32 rather than hash(): Python salts str hashes per process.
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def matrix_at(seed: int, name: str, shape: tuple, t: float) -> np.ndarray:
    rng = rng_for(seed, name)
    n, m = shape
    r = min(n, m)
    w0 = rng.normal(0.0, INIT_STD, size=shape)
    student = rng.standard_t(STUDENT_DF, size=shape)
    student *= INIT_STD / math.sqrt(STUDENT_DF / (STUDENT_DF - 2.0))
    u, _ = np.linalg.qr(rng.normal(size=(n, r)))
    v, _ = np.linalg.qr(rng.normal(size=(m, r)))
    strengths = SPIKE_AMPLITUDE * np.arange(1, r + 1, dtype=np.float64) ** -SPIKE_DECAY
    spikes = (u * strengths) @ v.T
    return (1.0 - 0.4 * t) * w0 + 0.6 * t * student + t**1.5 * spikes


def vector_at(seed: int, name: str, size: int, t: float) -> np.ndarray:
    drift = rng_for(seed, name).normal(size=size)
    if name.endswith("layernorm.weight") or name.endswith("final_layer_norm.weight"):
        return 1.0 + 0.1 * t * drift
    return 0.01 * t * drift


def safetensors_bytes(tensors: dict) -> bytes:
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name], dtype="<f2")
        blob = array.tobytes()
        header[name] = {"dtype": "F16", "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def revision(seed: int, step: int) -> dict:
    t = progress(step)
    out = {}
    for name, shape in tensor_shapes().items():
        values = matrix_at(seed, name, shape, t) if len(shape) == 2 else vector_at(seed, name, shape[0], t)
        out[name] = values.astype(np.float16)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples/tiny-pythia", type=pathlib.Path)
    parser.add_argument("--seed", default=1234, type=int)
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    config_text = json.dumps(config(), indent=2, sort_keys=True) + "\n"
    checksums = {}
    for step in STEPS:
        name = f"step{step}"
        directory = args.out / name
        directory.mkdir(exist_ok=True)
        tensors = revision(args.seed, step)
        (directory / "config.json").write_text(config_text)
        (directory / "model.safetensors").write_bytes(safetensors_bytes(tensors))
        checksums[name] = {
            k: [float(v.astype(np.float64).sum()), float((v.astype(np.float64) ** 2).sum())]
            for k, v in sorted(tensors.items())
        }
    catalog = {
        "model": "tiny-pythia",
        "family": "pythia-like",
        "tokens_per_step": TOKENS_PER_STEP,
        "revisions": [{"name": f"step{s}", "step": s, "tokens": s * TOKENS_PER_STEP} for s in STEPS],
    }
    (args.out / "catalog.json").write_text(json.dumps(catalog, indent=2) + "\n")
    (args.out / "checksums.json").write_text(json.dumps(
        {"generator": "tools/make_synthetic_series.py", "seed": args.seed,
         "numpy": np.__version__, "revisions": checksums}, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
