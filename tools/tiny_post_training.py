"""Post-training of the bundled tiny OLMo-like model: SFT -> DPO -> RLVR, a toy lineage.

Called by `train_tiny_series.py --post-train`. Starts from tiny-olmo's last pretraining
revision (step2000) in examples/hub and writes three more hub repositories beside it:

  spectra/tiny-olmo-sft       supervised fine-tuning on instruction-formatted text
  spectra/tiny-olmo-dpo       DPO on preference pairs, against a frozen copy of the SFT model
  spectra/tiny-olmo-instruct  RLVR: policy gradient with a programmatic, verifiable reward

and examples/tiny-olmo-lineage.json, the lineage file `spectra plan --lineage` reads.

Data (all built from the training files of the pretraining corpus, never the held-out ones
that supply the probe, plus generated arithmetic). Every example is a chat turn
"<|user|>\\n{instruction}\\n<|assistant|>\\n{response}" followed by <|endoftext|>:
  - continuation: "Continue this passage from the Python documentation:" + the first half
    of a paragraph's words; the response is the second half;
  - first words: "Repeat the first five words of this passage:" + a paragraph; the
    response is its first five words;
  - addition: "What is A plus B?" with A, B uniform in 0..9; the response is the sum.
SFT: the three kinds in equal parts, loss on response tokens only, AdamW lr 1e-3, 400 steps of 16.
DPO: 150 steps of 8 pairs, lr 3e-4. DPO (beta 0.1): for
addition the chosen response is the sum and the rejected one the sum moved by 1..10; for
continuation the chosen response is the paragraph's own second half and the rejected one
another paragraph's. RLVR: addition prompts only; 8 samples per prompt (temperature 1, up
to 6 new tokens); reward 1 when the text before <|endoftext|> or a newline is exactly the
sum, else 0; advantage = reward - the mean reward of the prompt's 8 samples (a group
baseline, as in GRPO, without the division by the standard deviation); loss = -advantage x
the sample's summed log-probability; no KL term; 60 steps of 8 prompts, lr 3e-4. Addition accuracy (greedy, over all
100 problems, which training also samples: it measures the reward, not generalization) is measured after every stage and stored in the lineage file.
"""

import json
import pathlib
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from transformers import OlmoForCausalLM

SEED = 1234
EOS, PAD = 0, 1
SFT_LR, DPO_LR, RL_LR = 1e-3, 3e-4, 3e-4
SFT_STEPS, DPO_STEPS, RL_STEPS = 400, 150, 60
BATCH, DPO_BATCH, RL_PROMPTS, RL_SAMPLES = 16, 8, 8, 8
DPO_BETA = 0.1
MAX_LEN = 128


def chat(instruction):
    return f"<|user|>\n{instruction}\n<|assistant|>\n"


class Tasks:
    """The instruction data: paragraphs of the training files and generated additions."""

    def __init__(self, paragraphs, rng):
        self.rng = rng
        self.paragraphs = [p for p in paragraphs if 12 <= len(p.split()) <= 60]

    def addition(self):
        a, b = self.rng.randrange(10), self.rng.randrange(10)
        return chat(f"What is {a} plus {b}?"), str(a + b), a + b

    def continuation(self):
        words = self.rng.choice(self.paragraphs).split()
        half = len(words) // 2
        return (chat("Continue this passage from the Python documentation:\n" + " ".join(words[:half])),
                " ".join(words[half:]))

    def first_words(self):
        words = self.rng.choice(self.paragraphs).split()
        return chat("Repeat the first five words of this passage:\n" + " ".join(words)), " ".join(words[:5])

    def sft_example(self):
        kind = self.rng.randrange(3)
        if kind == 0:
            prompt, response, _ = self.addition()
            return prompt, response
        return self.continuation() if kind == 1 else self.first_words()

    def preference(self):
        if self.rng.randrange(2) == 0:
            prompt, chosen, total = self.addition()
            shift = self.rng.randint(1, 10)
            wrong = total - shift if total - shift >= 0 and self.rng.randrange(2) else total + shift
            return prompt, chosen, str(wrong)
        prompt, chosen = self.continuation()
        other = self.rng.choice(self.paragraphs).split()
        return prompt, chosen, " ".join(other[len(other) // 2:])


def encode(tok, prompt, response):
    """Token ids of prompt + response + <|endoftext|>, cut to MAX_LEN, and where the response starts."""
    p = tok.encode(prompt).ids
    r = tok.encode(response).ids + [EOS]
    ids = (p + r)[:MAX_LEN]
    return ids, min(len(p), MAX_LEN - 1)


def batch_tensors(rows):
    """Right-padded ids, attention mask and response mask for (ids, response_start) rows."""
    width = max(len(ids) for ids, _ in rows)
    ids = torch.full((len(rows), width), PAD, dtype=torch.long)
    attention = torch.zeros((len(rows), width), dtype=torch.long)
    response = torch.zeros((len(rows), width), dtype=torch.bool)
    for i, (row, start) in enumerate(rows):
        ids[i, :len(row)] = torch.tensor(row)
        attention[i, :len(row)] = 1
        response[i, start:len(row)] = True
    return ids, attention, response


def response_logprob(model, ids, attention, response):
    """Summed log-probability of each row's response tokens."""
    logits = model(input_ids=ids, attention_mask=attention).logits[:, :-1].float()
    picked = torch.gather(F.log_softmax(logits, dim=-1), 2, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    return (picked * response[:, 1:]).sum(dim=1)


def sft(model, tok, tasks, log):
    opt = torch.optim.AdamW(model.parameters(), lr=SFT_LR, betas=(0.9, 0.95), weight_decay=0.0)
    model.train()
    recent = []
    for step in range(SFT_STEPS):
        ids, attention, response = batch_tensors([encode(tok, *tasks.sft_example()) for _ in range(BATCH)])
        logits = model(input_ids=ids, attention_mask=attention).logits[:, :-1].float()
        target = ids[:, 1:].masked_fill(~response[:, 1:], -100)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        recent.append(loss.item())
        if (step + 1) % 50 == 0:
            log(f"SFT step {step + 1}: response loss {np.mean(recent):.3f}")
            recent = []
    return {"steps": SFT_STEPS, "batch": BATCH, "final_response_loss": round(float(np.mean(recent or [loss.item()])), 4)}


def dpo(model, reference, tok, tasks, log):
    opt = torch.optim.AdamW(model.parameters(), lr=DPO_LR, betas=(0.9, 0.95), weight_decay=0.0)
    model.train()
    accuracies = []
    for step in range(DPO_STEPS):
        pairs = [tasks.preference() for _ in range(DPO_BATCH)]
        rows = [encode(tok, p, c) for p, c, _ in pairs] + [encode(tok, p, r) for p, _, r in pairs]
        ids, attention, response = batch_tensors(rows)
        policy = response_logprob(model, ids, attention, response)
        with torch.no_grad():
            ref = response_logprob(reference, ids, attention, response)
        margin = DPO_BETA * ((policy[:DPO_BATCH] - ref[:DPO_BATCH]) - (policy[DPO_BATCH:] - ref[DPO_BATCH:]))
        loss = -F.logsigmoid(margin).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        accuracies.append(float((margin > 0).float().mean()))
        if (step + 1) % 50 == 0:
            log(f"DPO step {step + 1}: loss {loss.item():.3f}, reward accuracy {np.mean(accuracies[-50:]):.2f}")
    return {"steps": DPO_STEPS, "pairs_per_step": DPO_BATCH, "beta": DPO_BETA,
            "final_reward_accuracy": round(float(np.mean(accuracies[-50:])), 3)}


def parse_answer(text):
    return text.split("<|endoftext|>")[0].split("\n")[0].strip()


@torch.no_grad()
def sample(model, prompt_ids, count, greedy=False):
    ids = torch.tensor([prompt_ids] * count)
    out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=6,
                         do_sample=not greedy, temperature=None if greedy else 1.0, top_k=None, top_p=None,
                         pad_token_id=PAD, eos_token_id=EOS)
    return out[:, len(prompt_ids):]


def rlvr(model, tok, tasks, log):
    opt = torch.optim.AdamW(model.parameters(), lr=RL_LR, betas=(0.9, 0.95), weight_decay=0.0)
    rewards = []
    for step in range(RL_STEPS):
        model.eval()
        groups = []
        for _ in range(RL_PROMPTS):
            prompt, _, total = tasks.addition()
            prompt_ids = tok.encode(prompt).ids
            completions = sample(model, prompt_ids, RL_SAMPLES)
            reward = torch.tensor([float(parse_answer(tok.decode(c.tolist(), skip_special_tokens=False)) == str(total))
                                   for c in completions])
            groups.append((prompt_ids, completions, reward))
            rewards.append(float(reward.mean()))
        model.train()
        loss_total = 0.0
        opt.zero_grad(set_to_none=True)
        for prompt_ids, completions, reward in groups:
            advantage = reward - reward.mean()
            if not advantage.abs().sum():
                continue  # every sample scored the same: no signal from this prompt
            rows = []
            for c in completions.tolist():
                if EOS in c:
                    c = c[:c.index(EOS) + 1]
                rows.append((prompt_ids + c, len(prompt_ids)))
            ids, attention, response = batch_tensors(rows)
            loss = -(advantage * response_logprob(model, ids, attention, response)).mean() / RL_PROMPTS
            loss.backward()
            loss_total += loss.item()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if (step + 1) % 20 == 0:
            log(f"RLVR step {step + 1}: mean reward {np.mean(rewards[-20 * RL_PROMPTS:]):.3f}")
    return {"steps": RL_STEPS, "prompts_per_step": RL_PROMPTS, "samples_per_prompt": RL_SAMPLES,
            "final_mean_reward": round(float(np.mean(rewards[-20 * RL_PROMPTS:])), 3)}


@torch.no_grad()
def addition_accuracy(model, tok):
    model.eval()
    problems = [(a, b) for a in range(10) for b in range(10)]
    right = 0
    for a, b in problems:
        out = sample(model, tok.encode(chat(f"What is {a} plus {b}?")).ids, 1, greedy=True)[0]
        right += parse_answer(tok.decode(out.tolist(), skip_special_tokens=False)) == str(a + b)
    return round(right / len(problems), 3)


def post_train(hub_root, out, tok, tok_json, paragraphs, config_json, state_bytes, HubRepo):
    """Runs the three stages from tiny-olmo step2000 and writes their repositories and the lineage file."""
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    base_dir = hub_root / "models--spectra--tiny-olmo"
    commit = (base_dir / "refs" / "step2000").read_text().strip()
    model = OlmoForCausalLM.from_pretrained(str(base_dir / "snapshots" / commit), dtype=torch.float32)
    tasks = Tasks(paragraphs, rng)
    started = time.time()

    def log(message):
        print(f"{message}  ({time.time() - started:.0f}s)", flush=True)

    stages = [{"label": "base", "repo": "spectra/tiny-olmo", "revision": "step2000",
               "trained_on": "pretraining only: 2,000 steps on the Python 3.11 documentation (tiny-olmo's last revision)",
               "addition_accuracy": addition_accuracy(model, tok)}]
    log(f"base: addition accuracy {stages[0]['addition_accuracy']}")

    def save(label, repo_name, trained_on, stats):
        repo = HubRepo(hub_root, repo_name)
        repo.revision("main", {"config.json": config_json(model, "bfloat16", "olmo"), "tokenizer.json": tok_json,
                               "model.safetensors": state_bytes(model, torch.bfloat16)})
        accuracy = addition_accuracy(model, tok)
        stages.append({"label": label, "repo": repo_name, "revision": "main", "trained_on": trained_on,
                       "training": stats, "addition_accuracy": accuracy})
        log(f"{label}: addition accuracy {accuracy}")

    stats = sft(model, tok, tasks, log)
    save("SFT", "spectra/tiny-olmo-sft",
         "supervised fine-tuning on chat-formatted instructions: passage continuation and first-five-words "
         "from the training paragraphs, and two-number addition (response tokens only)", stats)
    reference = OlmoForCausalLM.from_pretrained(str(base_dir / "snapshots" / commit), dtype=torch.float32)
    reference.load_state_dict(model.state_dict())
    reference.eval()
    for p in reference.parameters():
        p.requires_grad_(False)
    stats = dpo(model, reference, tok, tasks, log)
    save("DPO", "spectra/tiny-olmo-dpo",
         "DPO on preference pairs (correct vs. wrong sums; a paragraph's own continuation vs. another's) "
         "against a frozen copy of the SFT model", stats)
    stats = rlvr(model, tok, tasks, log)
    save("RLVR", "spectra/tiny-olmo-instruct",
         "policy gradient on addition prompts with a verifiable reward (1 when the answer is exactly the sum), "
         "group-mean baseline, no KL term", stats)
    lineage = {"name": "tiny-olmo", "hub_cache": "hub",
               "note": "toy scale: a 4-layer, width-64 model; the stages imitate the Tulu 3 recipe's kinds of "
                       "training, not its data or size",
               "stages": stages}
    (out / "tiny-olmo-lineage.json").write_text(json.dumps(lineage, indent=2) + "\n")
