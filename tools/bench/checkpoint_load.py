#!/usr/bin/env python3
"""Helper for tools/bench/checkpoint_load_bench.sh (pinned: tools/requirements-torch.txt).

  checkpoint_load.py make DIR      writes DIR/safetensors and DIR/bin: the same random-init
                                   GPTNeoXForCausalLM of Pythia-160m's shape in float16 (as
                                   the Pythia checkpoints are), as model.safetensors and as
                                   pytorch_model.bin (torch.save of the state dict), each with
                                   config.json
  checkpoint_load.py peer FILE     the peer: loads FILE with safetensors.torch.load_file or
                                   torch.load(weights_only=True, mmap=False), converts every
                                   tensor to float32 (what Spectra holds), prints the seconds
"""
import sys
import time

import torch


def make(directory):
    import pathlib
    import transformers
    from safetensors.torch import save_file

    config = transformers.GPTNeoXConfig(hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                                        intermediate_size=3072, vocab_size=50304, max_position_embeddings=2048,
                                        rotary_pct=0.25, tie_word_embeddings=False)
    torch.manual_seed(0)
    model = transformers.GPTNeoXForCausalLM(config).to(torch.float16).eval()
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    for form in ("safetensors", "bin"):
        out = pathlib.Path(directory) / form
        out.mkdir(parents=True, exist_ok=True)
        model.config.to_json_file(out / "config.json")
    save_file(state, pathlib.Path(directory) / "safetensors" / "model.safetensors", metadata={"format": "pt"})
    torch.save(state, pathlib.Path(directory) / "bin" / "pytorch_model.bin")


def peer(path):
    start = time.perf_counter()
    if path.endswith(".safetensors"):
        from safetensors.torch import load_file
        state = load_file(path)
    else:
        state = torch.load(path, weights_only=True, map_location="cpu")
    converted = {k: v.float() for k, v in state.items()}
    print(f"{time.perf_counter() - start:.3f} s, {len(converted)} tensors")


if __name__ == "__main__":
    {"make": make, "peer": peer}[sys.argv[1]](sys.argv[2])
