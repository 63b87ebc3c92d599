"""Probe sample selection, exactly as the Swift extract job does it (the artifact
contract): split on "\\n" keeping 0-based line numbers, take jsonl's "text", skip lines
empty after trimming, shuffle the kept line numbers with Fisher-Yates driven by
SplitMix64(seed), then tokenize in that order (no special tokens), drop sequences
shorter than min_tokens, truncate to max_tokens, stop at `samples`."""
import hashlib
import json

MASK = (1 << 64) - 1


class SplitMix64:
    """Steele, Lea and Flood's SplitMix64; all arithmetic mod 2^64."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


class ProbeError(Exception):
    """The probe file or its description is unusable; retrying cannot help."""


def shuffled(items, seed):
    a = list(items)
    rng = SplitMix64(seed)
    for i in range(len(a) - 1, 0, -1):
        j = rng.next() % (i + 1)
        a[i], a[j] = a[j], a[i]
    return a


def read_lines(data, fmt, path):
    """{line number: text} of the usable lines of the probe file's bytes."""
    kept = {}
    for number, line in enumerate(data.decode("utf-8").split("\n")):
        if fmt == "jsonl":
            if not line.strip():
                continue
            try:
                text = json.loads(line)["text"]
            except (ValueError, KeyError, TypeError) as error:
                raise ProbeError(f"{path}: line {number + 1} is not a JSON object with a \"text\" field: {error}")
            if not isinstance(text, str):
                raise ProbeError(f"{path}: line {number + 1}: \"text\" is not a string")
        elif fmt == "text":
            text = line
        else:
            raise ProbeError(f"{path}: probe format {fmt!r} is neither \"text\" nor \"jsonl\"")
        if text.strip():
            kept[number] = text
    return kept


def select(probe, encode):
    """(line numbers, token id lists) in row order. `probe` is the job's "probe" object;
    `encode(text)` returns token ids without special tokens."""
    path = probe["path"]
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as error:
        raise ProbeError(f"probe file {path}: {error.strerror}")
    digest = hashlib.sha256(data).hexdigest()
    if digest != probe["sha256"]:
        raise ProbeError(f"probe file {path} has SHA-256 {digest}, but the run was planned with {probe['sha256']}")
    lines = read_lines(data, probe.get("format", "text"), path)
    order = shuffled(sorted(lines), int(probe.get("seed", 0)))
    samples, max_tokens, min_tokens = int(probe["samples"]), int(probe["max_tokens"]), int(probe.get("min_tokens", 10))
    numbers, sequences = [], []
    for number in order:
        if len(numbers) == samples:
            break
        ids = encode(lines[number])
        if len(ids) < min_tokens:
            continue
        numbers.append(number)
        sequences.append(ids[:max_tokens])
    if not numbers:
        raise ProbeError(f"probe file {path}: no line has at least {min_tokens} tokens")
    return numbers, sequences
