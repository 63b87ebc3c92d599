#!/usr/bin/env python3
"""Generate Tests/Fixtures/models: tiny random-initialized transformers and their hidden states.

Pinned (tools/requirements-models.txt): Python 3.11, torch 2.13.0+cpu, transformers 5.23.0,
tokenizers 0.23.3, safetensors 0.8.0, numpy 2.4.6. Everything runs in float32 on the CPU.

Writes, under --out (default Tests/Fixtures/models), one directory per model:
  gpt-neox/             GPTNeoXForCausalLM, parallel residual, rotary_pct 0.25, exact GELU,
                        vocab 4105 so that Tests/Fixtures/tokenizer/tokenizer.json fits it
  gpt-neox-sequential/  the same family with use_parallel_residual = false and gelu_new
  olmo/                 OlmoForCausalLM (non-parametric LayerNorm, SwiGLU) with clip_qkv
  olmo2/                Olmo2ForCausalLM (post-norms, QK-norm, GQA) with rope_theta 500000
  llama/                LlamaForCausalLM with every option on: GQA (4 heads, 2 key/value heads),
                        head_dim 12 != hidden/heads, attention_bias and mlp_bias, llama3 RoPE
                        scaling (one frequency kept, two smoothed, three divided), tied embeddings
  llama-linear/         LlamaForCausalLM with linear RoPE scaling and an untied LM head
  qwen2/                Qwen2ForCausalLM (q, k, v biases) with the sliding window switched on
                        from layer 1 (max_window_layers 1, window 5), so layers differ
  mistral/              MistralForCausalLM, head_dim 16 != hidden/heads, sliding window 4:
                        the batch's sequences of 7 and 12 tokens are longer than the window
Each holds config.json and model.safetensors from save_pretrained (embeddings tied, so the
LM head is not stored twice), plus:
  batch.json            the token id sequences (different lengths, one of length 1)
  last.npy, mean.npy    (L + 1) × B × d float32: every output_hidden_states index pooled
                        by the last token and by the mean over each sequence's tokens,
                        from the batch run right-padded with an attention mask and
                        position ids counting from each sequence's first token. The script
                        checks that left padding and one-sequence-at-a-time runs agree.
And for the command-line test (gpt-neox with the fixture tokenizer):
  activations/probe.txt       a few lines of text and an empty one, most longer than --max-tokens 16
  activations/layer-NN.npy    N × d, pooled by the last token, every hidden state index
and the same for llama, whose tokenizer.json is byte-level BPE without merges (one id per
byte, 256 ids, the model's vocabulary), so the Llama checkpoint is complete.
"""
import argparse
import json
import pathlib

import numpy as np
import torch
import transformers
from tokenizers import Tokenizer, models, pre_tokenizers

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAX_TOKENS = 16


def configs():
    common = dict(hidden_size=32, num_attention_heads=2, num_hidden_layers=3, tie_word_embeddings=True,
                  max_position_embeddings=64)
    return {
        "gpt-neox": transformers.GPTNeoXConfig(
            **common, vocab_size=4105, intermediate_size=128, rotary_pct=0.25, rotary_emb_base=10000,
            use_parallel_residual=True, hidden_act="gelu", layer_norm_eps=1e-5),
        "gpt-neox-sequential": transformers.GPTNeoXConfig(
            **common, vocab_size=256, intermediate_size=128, rotary_pct=0.25, rotary_emb_base=10000,
            use_parallel_residual=False, hidden_act="gelu_new", layer_norm_eps=1e-5),
        "olmo": transformers.OlmoConfig(
            **common, vocab_size=256, intermediate_size=80, clip_qkv=0.8, rope_theta=10000,
            pad_token_id=1),
        "olmo2": transformers.Olmo2Config(
            **common, vocab_size=256, intermediate_size=80, num_key_value_heads=1, rope_theta=500000.0,
            rms_norm_eps=1e-6, pad_token_id=1),
        "llama": transformers.LlamaConfig(
            hidden_size=32, num_attention_heads=4, num_key_value_heads=2, head_dim=12, num_hidden_layers=2,
            vocab_size=256, intermediate_size=48, attention_bias=True, mlp_bias=True, rms_norm_eps=1e-5,
            tie_word_embeddings=True, max_position_embeddings=128, pad_token_id=1,
            # theta 500 spreads the six wavelengths (6.3 … 1116) across llama3's three bands:
            # under 16 kept, over 64 divided by 8, between smoothed.
            rope_parameters=dict(rope_type="llama3", rope_theta=500.0, factor=8.0, low_freq_factor=1.0,
                                 high_freq_factor=4.0, original_max_position_embeddings=64)),
        "llama-linear": transformers.LlamaConfig(
            hidden_size=32, num_attention_heads=2, num_hidden_layers=2, vocab_size=128, intermediate_size=40,
            tie_word_embeddings=False, max_position_embeddings=64, pad_token_id=1,
            rope_parameters=dict(rope_type="linear", rope_theta=100.0, factor=4.0)),
        "qwen2": transformers.Qwen2Config(
            hidden_size=32, num_attention_heads=4, num_key_value_heads=2, num_hidden_layers=2, vocab_size=128,
            intermediate_size=40, tie_word_embeddings=True, max_position_embeddings=64, pad_token_id=1,
            use_sliding_window=True, sliding_window=5, max_window_layers=1,
            rope_parameters=dict(rope_type="default", rope_theta=1000.0)),
        "mistral": transformers.MistralConfig(
            hidden_size=32, num_attention_heads=4, num_key_value_heads=1, head_dim=16, num_hidden_layers=2,
            vocab_size=128, intermediate_size=40, tie_word_embeddings=True, max_position_embeddings=64,
            pad_token_id=1, sliding_window=4, rope_parameters=dict(rope_type="default", rope_theta=1000.0)),
    }


def build(config, seed):
    torch.manual_seed(seed)
    model = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32).eval()
    # Default init leaves biases at 0 and norm weights at 1; randomize every parameter so a
    # dropped bias or norm weight shows up in the comparison.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.2 * torch.randn_like(p))
            else:
                p.copy_(0.3 * torch.randn_like(p))
    return model


def run(model, batch, left):
    """Hidden states of a padded batch: (L + 1) × B × T × d, and the mask."""
    width = max(map(len, batch))
    ids = torch.full((len(batch), width), 1, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, seq in enumerate(batch):
        span = slice(width - len(seq), width) if left else slice(0, len(seq))
        ids[i, span] = torch.tensor(seq)
        mask[i, span] = 1
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        out = model.base_model(input_ids=ids, attention_mask=mask, position_ids=positions,
                               output_hidden_states=True)
    return torch.stack(out.hidden_states).numpy(), mask.numpy()


def pooled(model, batch, left=False):
    states, mask = run(model, batch, left)
    last = np.zeros((states.shape[0], len(batch), states.shape[-1]), np.float32)
    mean = np.zeros_like(last)
    for i in range(len(batch)):
        real = np.nonzero(mask[i])[0]
        last[:, i] = states[:, i, real[-1]]
        mean[:, i] = states[:, i, real].mean(axis=1)
    return last, mean


def close(a, b):
    """Batched and unbatched float32 runs differ only in summation order: a few ulps of the
    largest state (|h| up to ~26, where one ulp is 2e-6), so 1e-5 plus 1e-6 relative."""
    return np.allclose(a, b, rtol=1e-6, atol=1e-5)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "Tests/Fixtures/models"))
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    rng = np.random.default_rng(6)
    for seed, (name, config) in enumerate(configs().items()):
        model = build(config, seed)
        directory = out / name
        model.save_pretrained(directory, safe_serialization=True)
        (directory / "generation_config.json").unlink(missing_ok=True)  # not read; keeps the fixture small
        lengths = [7, 3, 12, 1]
        batch = [rng.integers(0, config.vocab_size, n).tolist() for n in lengths]
        last, mean = pooled(model, batch)
        for left in (True,):
            l2, m2 = pooled(model, batch, left=left)
            assert close(l2, last) and close(m2, mean), name
        for i, seq in enumerate(batch):
            l1, m1 = pooled(model, [seq])
            assert close(l1[:, 0], last[:, i]) and close(m1[:, 0], mean[:, i]), (name, i)
        if getattr(config, "sliding_window", None) is not None:
            assert_window_matters(model, batch, last, name)
        (directory / "batch.json").write_text(json.dumps(batch) + "\n")
        np.save(directory / "last.npy", last)
        np.save(directory / "mean.npy", mean)
        print(name, "hidden states", last.shape, "max |h|", float(np.abs(last).max()))
        if name == "gpt-neox":
            write_activations(model, directory / "activations",
                              Tokenizer.from_file(str(ROOT / "Tests/Fixtures/tokenizer/tokenizer.json")))
        if name == "llama":
            tokenizer = byte_level_tokenizer()
            tokenizer.save(str(directory / "tokenizer.json"))
            write_activations(model, directory / "activations", tokenizer)


def assert_window_matters(model, batch, last, name):
    """The fixture proves the window only if full attention would give other states."""
    config = model.config
    saved = config.sliding_window, getattr(config, "layer_types", None)
    if saved[1] is not None:
        config.layer_types = ["full_attention"] * config.num_hidden_layers  # Qwen2: per layer
    else:
        config.sliding_window = None  # Mistral picks its mask from this at every forward
    full, _ = pooled(model, batch)
    config.sliding_window, config.layer_types = saved
    assert np.abs(full[-1] - last[-1]).max() > 1e-2, (name, "the sliding window changes nothing")


def byte_level_tokenizer():
    """Byte-level BPE without merges: one id per byte, in the order of the byte alphabet."""
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    tokenizer = Tokenizer(models.BPE(vocab={c: i for i, c in enumerate(alphabet)}, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    return tokenizer


def write_activations(model, directory, tokenizer):
    directory.mkdir(parents=True, exist_ok=True)
    lines = [
        "The quick brown fox jumps over the lazy dog.",
        "",
        "def spectrum(x): return numpy.linalg.eigvalsh(x.T @ x)",
        "A much longer line of text that the tokenizer will split into more than sixteen tokens, "
        "so the command has to truncate it and say so once.",
        "Short.",
    ]
    (directory / "probe.txt").write_text("\n".join(lines) + "\n")
    batch = [tokenizer.encode(line).ids[:MAX_TOKENS] for line in lines if line]
    assert any(len(tokenizer.encode(line).ids) > MAX_TOKENS for line in lines)
    last, _ = pooled(model, batch)
    for layer in range(last.shape[0]):
        np.save(directory / f"layer-{layer:02d}.npy", np.ascontiguousarray(last[layer]))


if __name__ == "__main__":
    main()
