"""The forward pass: pooled hidden states of every requested layer, for a list of token
sequences, with HF transformers. On a GPU the weights are bf16 and the pooled states are
accumulated in fp32; on the CPU everything is fp32."""
import os

import numpy as np
import torch
from transformers import AutoModel
from tokenizers import Tokenizer


def device_and_dtype():
    if torch.cuda.is_available():
        return torch.device("cuda"), torch.bfloat16
    return torch.device("cpu"), torch.float32


def load(checkpoint, device, dtype):
    """(model, encode) for a checkpoint directory holding config.json, the weights and
    tokenizer.json. FileNotFoundError names what is missing."""
    tokenizer_path = os.path.join(checkpoint, "tokenizer.json")
    if not os.path.exists(tokenizer_path):
        raise FileNotFoundError(f"checkpoint {checkpoint} has no tokenizer.json")
    tokenizer = Tokenizer.from_file(tokenizer_path)
    model = AutoModel.from_pretrained(checkpoint, dtype=dtype).to(device).eval()

    def encode(text):
        return tokenizer.encode(text, add_special_tokens=False).ids

    return model, encode


@torch.inference_mode()
def pooled_states(model, sequences, layers, poolings, batch, device, should_stop=lambda: False):
    """{(pooling, layer): float32 array rows × hidden}. Hidden-state index 0 is the
    embeddings, the last is after the final norm (HF's output_hidden_states). Batches
    are right-padded with an attention mask, so every real token sees exactly what it
    would alone; `should_stop()` is asked between batches (True aborts with None)."""
    out = {(p, l): [] for p in poolings for l in layers}
    for start in range(0, len(sequences), batch):
        if should_stop():
            return None
        chunk = sequences[start:start + batch]
        width = max(len(s) for s in chunk)
        ids = torch.zeros((len(chunk), width), dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for i, s in enumerate(chunk):
            ids[i, :len(s)] = torch.tensor(s, dtype=torch.long)
            mask[i, :len(s)] = 1
        ids, mask = ids.to(device), mask.to(device)
        hidden = model(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states
        if max(layers) >= len(hidden):
            raise ValueError(f"layer {max(layers)} requested but the model has hidden states 0..{len(hidden) - 1}")
        lengths = mask.sum(dim=1)
        # fp32 from here on: pooling bf16 states in bf16 would lose the low bits that
        # the spectra of nearly collinear representations depend on.
        weights = mask.to(torch.float32).unsqueeze(-1)
        for layer in layers:
            states = hidden[layer].to(torch.float32)
            for pooling in poolings:
                if pooling == "last":
                    pooled = states[torch.arange(len(chunk), device=device), lengths - 1]
                elif pooling == "mean":
                    pooled = (states * weights).sum(dim=1) / lengths.unsqueeze(-1).to(torch.float32)
                else:
                    raise ValueError(f"pooling {pooling!r} is neither \"last\" nor \"mean\"")
                out[(pooling, layer)].append(pooled.cpu().numpy())
    return {key: np.ascontiguousarray(np.concatenate(parts), dtype=np.float32) for key, parts in out.items()}
