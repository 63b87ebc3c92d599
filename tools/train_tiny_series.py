#!/usr/bin/env python3
"""Train the bundled tiny checkpoint series: examples/hub, examples/tiny-pythia, examples/tiny-olmo.

Corpus: the reStructuredText sources of the Python 3.11 documentation as Debian's
`python3.11-doc` package ships them (/usr/share/doc/python3.11/html/_sources; PSF License
2.0, see /usr/share/doc/python3.11-doc/copyright). Markup is stripped lightly and each
paragraph becomes one line. Files are taken in sorted order; every tenth file is held out:
it never reaches the tokenizer or the models, and supplies examples/probe.txt (the probe
set of `spectra demo`) and the held-out loss.

What it writes (everything under --out, default examples/):
  hub/models--spectra--tiny-pythia/   Hugging Face hub cache layout: refs/stepN holds a
  hub/models--spectra--tiny-olmo/     commit id, snapshots/COMMIT/{config.json,
                                      model.safetensors, tokenizer.json} are relative
                                      symlinks into blobs/ (safetensors named by sha256,
                                      json by git blob sha1, as the Hub names them).
  tiny-pythia/catalog.json            the series catalogs: steps, tokens, losses, and the
  tiny-olmo/catalog.json              hub repo each revision lives in.
  probe.txt                           held-out paragraphs, one per line, >= 10 tokens.
  Tests/Fixtures/series/probe-ids.txt the tokenizer's ids for every probe line (the oracle
                                      for the Swift tokenizer on the bundled tokenizer.json).

Models (tiny, so that weights fit the repository and training fits 2 CPU cores):
  tiny-pythia  GPTNeoXForCausalLM: 4 layers, width 64, 4 heads, MLP 256, GELU, parallel
               residual, rotary on 25% of each head (Pythia's shape in miniature), untied
               embeddings; stored as F16 like Pythia.
  tiny-olmo    OlmoForCausalLM: 4 layers, width 64, 4 heads, SwiGLU MLP 176, non-parametric
               LayerNorm, full rotary, no biases, untied; stored as BF16.
Both: byte-level BPE tokenizer (vocab 1024, GPT-NeoX-shaped: NFC, ByteLevel, <|endoftext|>
= 0, <|padding|> = 1), sequences of 128 tokens, batch 16 (2,048 tokens per step), AdamW
(lr 2e-3, betas 0.9/0.95, weight decay 0.1), linear warmup 100 steps then cosine to 10%,
seed 1234. Checkpoints on Pythia's schedule in miniature: step 0, 1, 2, 4, ..., 512, then
every 500 steps from 1000 to the end (2000).

Pinned (tools/requirements-series.txt): torch 2.13.0+cpu, transformers 5.23.0, tokenizers
0.23.3, safetensors 0.8.0, numpy 2.4.6; Python 3.11; Debian bookworm python3.11-doc
3.11.2-6+deb12u9. Runs on CPU; results are reproducible for those versions and thread count,
not bit-identical across machines. The committed series was made as two single-thread
processes side by side on a shared 2-core machine (12.5 minutes wall for both):
  python tools/train_tiny_series.py --threads 1 --families pythia &
  python tools/train_tiny_series.py --threads 1 --families olmo --fixtures /tmp/ignored

Post-training (--post-train): tools/tiny_post_training.py fine-tunes tiny-olmo's step2000 in
three stages (SFT, DPO, RLVR) into hub/models--spectra--tiny-olmo-{sft,dpo,instruct} and
writes tiny-olmo-lineage.json; its docstring says what each stage was trained on. The
committed lineage was made with --threads 1 (same pins).

Usage:
  apt-get install -y python3.11-doc
  python3 -m venv .venv && .venv/bin/pip install -r tools/requirements-series.txt
  .venv/bin/python tools/train_tiny_series.py
  .venv/bin/python tools/train_tiny_series.py --post-train --threads 1
"""

import argparse
import hashlib
import json
import math
import os
import pathlib
import random
import re
import shutil
import sys
import time

import numpy as np
import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM, OlmoConfig, OlmoForCausalLM

DOCS = pathlib.Path("/usr/share/doc/python3.11/html/_sources")
VOCAB = 1024
SPECIALS = ["<|endoftext|>", "<|padding|>"]
SEQ, BATCH = 128, 16
TOKENS_PER_STEP = SEQ * BATCH
SEED = 1234
PROBE_LINES = 400


# ---------------------------------------------------------------- corpus

ROLE = re.compile(r":[a-zA-Z:+-]+:`(?:[^`<]*<)?~?!?([^`>]*)>?`")
LINK = re.compile(r"`([^`<]+?)\s*<[^>]*>`_+")
LITERAL = re.compile(r"``([^`]*)``")
EMPHASIS = re.compile(r"(\*\*|\*|`)([^*`]+)\1_?")
UNDERLINE = re.compile(r"^([=\-~^\"'`#*+.:_])\1{2,}\s*$")


def paragraphs(text):
    """Paragraphs of one reST file with directives, section lines and roles stripped."""
    out, current, in_directive = [], [], False
    for raw in text.split("\n"):
        line = raw.rstrip()
        if not line.strip():
            if current:
                out.append(" ".join(current))
                current = []
            in_directive = False
            continue
        stripped = line.strip()
        if stripped.startswith(".. ") or stripped == "..":
            in_directive = True  # directive, comment or target: skip its block header
            continue
        if in_directive and (stripped.startswith(":") or line.startswith(" ")):
            continue
        in_directive = False
        if UNDERLINE.match(stripped):
            continue
        stripped = ROLE.sub(r"\1", stripped)
        stripped = LINK.sub(r"\1", stripped)
        stripped = LITERAL.sub(r"\1", stripped)
        stripped = EMPHASIS.sub(r"\2", stripped)
        if stripped.endswith("::"):
            stripped = stripped[:-1]
        current.append(stripped)
    if current:
        out.append(" ".join(current))
    return [re.sub(r"\s+", " ", p).strip() for p in out if len(p.strip()) >= 2]


def corpus():
    files = sorted(DOCS.rglob("*.rst.txt"))
    if not files:
        sys.exit(f"no reST sources under {DOCS}: apt-get install -y python3.11-doc")
    train, held = [], []
    for i, f in enumerate(files):
        (held if i % 10 == 0 else train).extend(paragraphs(f.read_text(encoding="utf-8")))
    return train, held


# ---------------------------------------------------------------- tokenizer

def train_tokenizer(lines):
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, special_tokens=SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer)
    return tok


def token_stream(tok, lines):
    ids = []
    for enc in tok.encode_batch(lines):
        ids.extend(enc.ids)
        ids.append(0)  # <|endoftext|> between documents, as Pythia's data pipeline does
    return torch.tensor(ids, dtype=torch.long)


# ---------------------------------------------------------------- models

def make_model(kind):
    common = dict(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=4, num_attention_heads=4,
                  max_position_embeddings=SEQ, initializer_range=0.02, tie_word_embeddings=False,
                  bos_token_id=0, eos_token_id=0, pad_token_id=1)
    if kind == "pythia":
        config = GPTNeoXConfig(intermediate_size=256, hidden_act="gelu", use_parallel_residual=True,
                               rotary_pct=0.25, rotary_emb_base=10000, layer_norm_eps=1e-5, **common)
        return GPTNeoXForCausalLM(config), torch.float16, "float16"
    config = OlmoConfig(intermediate_size=176, hidden_act="silu", rope_theta=10000.0, clip_qkv=None,
                        attention_bias=False, **common)
    return OlmoForCausalLM(config), torch.bfloat16, "bfloat16"


def config_json(model, dtype_name, kind):
    config = model.config.to_dict()
    config["architectures"] = [type(model).__name__]
    # Readers of the hub's Pythia/OLMo configs (Spectra's ModelConfig among them) expect the
    # keys transformers 4.x wrote; transformers 5 moved them into rope_parameters.
    config["torch_dtype"] = dtype_name
    config["dtype"] = dtype_name
    rope = config.get("rope_parameters") or {}
    config["rope_theta"] = rope.get("rope_theta", 10000.0)
    if kind == "pythia":
        config["rotary_pct"] = rope.get("partial_rotary_factor", 0.25)
        config["rotary_emb_base"] = config["rope_theta"]
    return (json.dumps(config, indent=2, sort_keys=True) + "\n").encode()


def state_bytes(model, dtype):
    tensors = {name: t.detach().to(dtype).contiguous().clone()
               for name, t in model.state_dict().items()
               if not name.endswith(("inv_freq", "masked_bias", "attention.bias"))}
    path = pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / f"spectra-series-{os.getpid()}.safetensors"
    save_file(tensors, str(path), metadata={"format": "pt"})
    data = path.read_bytes()
    path.unlink()
    return data


# ---------------------------------------------------------------- hub cache

class HubRepo:
    """Writes one model's hub-cache folder: blobs/, snapshots/COMMIT/, refs/REV."""

    def __init__(self, root, repo):
        self.dir = root / ("models--" + repo.replace("/", "--"))
        if self.dir.exists():
            shutil.rmtree(self.dir)
        for sub in ("blobs", "snapshots", "refs"):
            (self.dir / sub).mkdir(parents=True)

    def blob(self, data, lfs):
        # The Hub's etag: sha256 for LFS files, git's blob sha1 for small ones.
        name = (hashlib.sha256(data).hexdigest() if lfs
                else hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest())
        path = self.dir / "blobs" / name
        if not path.exists():
            path.write_bytes(data)
        return name

    def revision(self, name, files):
        blobs = {f: self.blob(data, f.endswith(".safetensors")) for f, data in files.items()}
        commit = hashlib.sha1(json.dumps([name, sorted(blobs.items())]).encode()).hexdigest()
        snap = self.dir / "snapshots" / commit
        snap.mkdir(parents=True)
        for f, b in blobs.items():
            os.symlink(f"../../blobs/{b}", snap / f)
        (self.dir / "refs" / name).write_text(commit)
        return commit


# ---------------------------------------------------------------- training

def schedule(last):
    steps = [0] + [2 ** k for k in range(10) if 2 ** k < min(last, 1000)]
    steps += list(range(1000, last + 1, 500))
    return steps if steps[-1] == last else steps + [last]


def lr_at(step, total, peak):
    if step < 100:
        return peak * (step + 1) / 100
    progress = (step - 100) / max(1, total - 100)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


@torch.no_grad()
def eval_loss(model, held):
    model.eval()
    losses = [model(input_ids=held[i:i + BATCH], labels=held[i:i + BATCH]).loss.item()
              for i in range(0, len(held), BATCH)]
    model.train()
    return float(np.mean(losses))


def train_family(kind, tok_json, train_ids, held_ids, total_steps, out, hub_root):
    torch.manual_seed(SEED)
    model, dtype, dtype_name = make_model(kind)
    repo_name = f"spectra/tiny-{kind}"
    repo = HubRepo(hub_root, repo_name)
    config = config_json(model, dtype_name, kind)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, betas=(0.9, 0.95), weight_decay=0.1)
    gen = torch.Generator().manual_seed(SEED)
    windows = len(train_ids) // SEQ
    data = train_ids[: windows * SEQ].view(windows, SEQ)
    saves = schedule(total_steps)
    revisions, recent, started = [], [], time.time()
    for step in range(total_steps + 1):
        if step in saves:
            held = eval_loss(model, held_ids)
            train_loss = float(np.mean(recent)) if recent else held
            commit = repo.revision(f"step{step}", {"config.json": config, "tokenizer.json": tok_json,
                                                   "model.safetensors": state_bytes(model, dtype)})
            revisions.append({"name": f"step{step}", "step": step, "tokens": step * TOKENS_PER_STEP,
                              "commit": commit, "train_loss": round(train_loss, 4),
                              "heldout_loss": round(held, 4)})
            print(f"tiny-{kind} step {step:5d}  train {train_loss:.3f}  held-out {held:.3f}  "
                  f"{time.time() - started:6.0f}s", flush=True)
            recent = []
        if step == total_steps:
            break
        for group in opt.param_groups:
            group["lr"] = lr_at(step, total_steps, 2e-3)
        batch = data[torch.randint(0, windows, (BATCH,), generator=gen)]
        loss = model(input_ids=batch, labels=batch).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        recent.append(loss.item())
    catalog = {"model": f"tiny-{kind}", "family": f"{kind}-like", "tokens_per_step": TOKENS_PER_STEP,
               "hub_cache": "../hub", "repo": repo_name,
               "corpus": "Python 3.11 documentation sources (Debian python3.11-doc), PSF License 2.0",
               "revisions": revisions}
    series = out / f"tiny-{kind}"
    if series.exists():
        shutil.rmtree(series)
    series.mkdir(parents=True)
    (series / "catalog.json").write_text(json.dumps(catalog, indent=2) + "\n")


def post_train_lineage(args, train_lines):
    from tiny_post_training import post_train
    hub_root = args.out / "hub"
    base = hub_root / "models--spectra--tiny-olmo"
    tok_json = (base / "snapshots" / (base / "refs" / "step2000").read_text().strip() / "tokenizer.json").read_bytes()
    tok = Tokenizer.from_str(tok_json.decode())
    post_train(hub_root, args.out, tok, tok_json, train_lines, config_json, state_bytes, HubRepo)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="examples", type=pathlib.Path)
    parser.add_argument("--fixtures", default="Tests/Fixtures/series", type=pathlib.Path)
    parser.add_argument("--steps", default=2000, type=int, help="training steps per family")
    parser.add_argument("--threads", default=2, type=int, help="torch CPU threads")
    parser.add_argument("--families", default="pythia,olmo")
    parser.add_argument("--post-train", action="store_true",
                        help="only the SFT -> DPO -> RLVR lineage of tiny-olmo (tools/tiny_post_training.py), "
                             "from its committed step2000 in OUT/hub")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    random.seed(SEED)

    train_lines, held_lines = corpus()
    if args.post_train:
        post_train_lineage(args, train_lines)
        return
    tok = train_tokenizer(train_lines)
    tok_json = (tok.to_str(pretty=True) + "\n").encode()
    train_ids = token_stream(tok, train_lines)
    held_stream = token_stream(tok, held_lines)
    n_held = min(len(held_stream) // SEQ, 64)  # 64 × 128 held-out tokens for the loss curve
    held_ids = held_stream[: n_held * SEQ].view(n_held, SEQ)
    print(f"corpus: {len(train_lines)} training paragraphs, {len(train_ids)} tokens; "
          f"{len(held_lines)} held-out paragraphs", flush=True)

    # Probe: held-out paragraphs of 10-96 tokens, an even spread over the held-out files.
    candidates = [line for line in held_lines if 10 <= len(tok.encode(line).ids) <= 96]
    stride = max(1, len(candidates) // PROBE_LINES)
    probe = candidates[::stride][:PROBE_LINES]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "probe.txt").write_text("\n".join(probe) + "\n", encoding="utf-8")
    args.fixtures.mkdir(parents=True, exist_ok=True)
    (args.fixtures / "probe-ids.txt").write_text(
        "".join(" ".join(map(str, tok.encode(line).ids)) + "\n" for line in probe))

    hub_root = args.out / "hub"
    for kind in args.families.split(","):
        train_family(kind, tok_json, train_ids, held_ids, args.steps, args.out, hub_root)


if __name__ == "__main__":
    main()
