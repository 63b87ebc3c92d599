#!/usr/bin/env python3
"""The PyTorch side of tools/bench/forward_bench.sh (versions: tools/requirements-models.txt).

  make DIR   a random-initialized GPT-NeoX of Pythia-160m's shape (12 layers, hidden 768,
             12 heads, rotary_pct 0.25, vocab 50304), or with --shape smollm2-135m a
             LlamaForCausalLM of SmolLM2-135M's (30 layers, hidden 576, 9 heads sharing 3
             key/value heads, SwiGLU 1536, vocab 49152), saved to DIR in float32, a batch of
             16 random sequences of 128 tokens (batch.json) and, from transformers, every
             hidden state pooled by the last token and by the mean (last.npy, mean.npy:
             (L + 1) × 16 × hidden).
  time DIR   tokens/s of the hidden-state forward pass (the base model, no LM head,
             output_hidden_states, pooled last and mean) over ROUNDS timed rounds after
             one warm-up; torch threads from --threads.
"""
import argparse
import json
import pathlib
import statistics
import time

import numpy as np
import torch
import transformers


def pooled(model, batch):
    ids = torch.tensor(batch, dtype=torch.long)
    with torch.no_grad():
        out = model.base_model(input_ids=ids, attention_mask=torch.ones_like(ids), output_hidden_states=True)
    # Pool as Spectra does, so both sides do the same work; no token-level copy is kept.
    last = torch.stack([h[:, -1] for h in out.hidden_states])
    mean = torch.stack([h.mean(dim=1) for h in out.hidden_states])
    return last.numpy(), mean.numpy()


SHAPES = {
    "pythia-160m": lambda: transformers.GPTNeoXConfig(
        vocab_size=50304, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
        intermediate_size=3072, rotary_pct=0.25, rotary_emb_base=10000, max_position_embeddings=2048,
        use_parallel_residual=True, hidden_act="gelu", layer_norm_eps=1e-5, tie_word_embeddings=False),
    "smollm2-135m": lambda: transformers.LlamaConfig(
        vocab_size=49152, hidden_size=576, num_hidden_layers=30, num_attention_heads=9, num_key_value_heads=3,
        intermediate_size=1536, max_position_embeddings=8192, rms_norm_eps=1e-5, tie_word_embeddings=True,
        rope_parameters=dict(rope_type="default", rope_theta=100000.0)),
}


def make(directory, sequences, length, shape):
    torch.manual_seed(160)
    config = SHAPES[shape]()
    model = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:  # biases and norm parameters off their 0 / 1 init
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.1 * torch.randn_like(p))
    model.save_pretrained(directory, safe_serialization=True)
    rng = np.random.default_rng(128)
    batch = rng.integers(0, config.vocab_size, (sequences, length)).tolist()
    (directory / "batch.json").write_text(json.dumps(batch))
    last, mean = pooled(model, batch)
    np.save(directory / "last.npy", last)
    np.save(directory / "mean.npy", mean)


def timed(directory, threads, rounds):
    torch.set_num_threads(threads)
    model = transformers.AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32).eval()
    batch = json.loads((directory / "batch.json").read_text())
    tokens = sum(map(len, batch))
    pooled(model, batch)
    seconds = []
    for _ in range(rounds):
        start = time.perf_counter()
        pooled(model, batch)
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    print(f"torch {torch.__version__} transformers {transformers.__version__} threads {threads}: "
          f"{len(batch)} x {len(batch[0])} tokens, median {median:.3f} s of {rounds}, "
          f"{tokens / median:.0f} tokens/s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["make", "time"])
    parser.add_argument("directory", type=pathlib.Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sequences", type=int, default=16)
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="pythia-160m")
    args = parser.parse_args()
    if args.mode == "make":
        make(args.directory, args.sequences, args.length, args.shape)
    else:
        timed(args.directory, args.threads, args.rounds)


if __name__ == "__main__":
    main()
