"""Tests of the GPU extractor without the Swift side (run by test.sh, on the CPU):
sample selection against SplitMix64's published outputs, and the whole worker against a
private PostgreSQL: artifacts, checksums and the artifact rows, values against an
unbatched HF forward pass (the bundled Pythia-like series, and the Llama fixture of
Tests/Fixtures/models), fencing by role, and release on SIGTERM.
Tolerance 1e-4 absolute on fp32 pooled states: batching with right padding changes
only summation order (the oracle is transformers itself, one sequence at a time)."""
import hashlib
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import numpy as np
import psycopg
import torch
from tokenizers import Tokenizer
from transformers import AutoModel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import probe  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SPECTRA = os.environ.get("SPECTRA_BIN", os.path.join(ROOT, ".build", "debug", "spectra"))
SERIES = os.path.join(ROOT, "examples", "tiny-pythia")
LLAMA = os.path.join(ROOT, "Tests", "Fixtures", "models", "llama")


def last_checkpoint():
    """The bundled series' last revision, through its hub cache (catalog.json)."""
    catalog = json.loads(pathlib.Path(SERIES, "catalog.json").read_text())
    hub = os.path.join(SERIES, catalog["hub_cache"], "models--" + catalog["repo"].replace("/", "--"))
    commit = pathlib.Path(hub, "refs", catalog["revisions"][-1]["name"]).read_text().strip()
    return os.path.join(hub, "snapshots", commit)


class SplitMix64Tests(unittest.TestCase):
    def test_matches_reference_outputs_for_seed_zero(self):
        # The first outputs of Vigna's splitmix64.c seeded with 0.
        rng = probe.SplitMix64(0)
        self.assertEqual([rng.next() for _ in range(3)],
                         [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F])

    def test_selection_skips_blank_short_and_stops_at_samples(self):
        with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as f:
            lines = [json.dumps({"text": "x" * n}) for n in (12, 3, 20, 15)] + ["   ", json.dumps({"text": "y" * 30})]
            f.write("\n".join(lines).encode())
        data = pathlib.Path(f.name).read_bytes()
        spec = {"path": f.name, "sha256": hashlib.sha256(data).hexdigest(), "format": "jsonl", "seed": 7,
                "samples": 3, "max_tokens": 16, "min_tokens": 10}
        numbers, sequences = probe.select(spec, lambda text: list(text.encode()))
        order = [n for n in probe.shuffled([0, 1, 2, 3, 5], 7) if n != 1][:3]
        self.assertEqual(numbers, order)
        self.assertTrue(all(10 <= len(s) <= 16 for s in sequences))
        spec["sha256"] = "0" * 64
        with self.assertRaises(probe.ProbeError):
            probe.select(spec, lambda text: list(text.encode()))
        os.unlink(f.name)


class WorkerTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="spectra-extractor-")
        os.chmod(cls.tmp, 0o755)
        cls.data = os.path.join(cls.tmp, "pg")
        subprocess.run([SPECTRA, "db", "start", "--data-dir", cls.data], check=True, capture_output=True)
        cls.owner = subprocess.run([SPECTRA, "db", "url", "--data-dir", cls.data], check=True,
                                   capture_output=True, text=True).stdout.strip()
        subprocess.run([SPECTRA, "db", "migrate"], check=True, capture_output=True,
                       env={**os.environ, "DATABASE_URL": cls.owner})
        cls.checkpoint = last_checkpoint()
        with psycopg.connect(cls.owner, autocommit=True) as db:
            db.execute("create role extractor_node login in role spectra_worker")
        cls.worker_url = cls.owner.replace("user=spectra", "user=extractor_node")

    @classmethod
    def tearDownClass(cls):
        subprocess.run([SPECTRA, "db", "stop", "--data-dir", cls.data], capture_output=True)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def plan(self, name, lines, samples, batch, checkpoint=None):
        checkpoint = checkpoint or self.checkpoint
        config = json.loads(pathlib.Path(checkpoint, "config.json").read_text())
        layers = config["num_hidden_layers"]
        path = os.path.join(self.tmp, f"{name}.txt")
        with open(path, "w") as f:
            f.write("\n".join(lines))
        spec = {"path": path, "sha256": hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest(), "format": "text",
                "seed": 0, "samples": samples, "max_tokens": 32, "min_tokens": 10}
        args = {"checkpoint": checkpoint, "model": name, "revision": "step143000",
                "layers": list(range(layers + 1)), "poolings": ["last", "mean"], "probe": spec, "batch": batch}
        with psycopg.connect(self.owner, autocommit=True) as db:
            model = db.execute("""insert into spectra.models (name, family, architecture, num_layers, hidden_size, source)
                                  values (%s, 'local', %s, %s, %s, 'test') returning id""",
                               (name, config["architectures"][0], layers, config["hidden_size"])).fetchone()[0]
            ckpt = db.execute("""insert into spectra.checkpoints (model_id, revision, step, tokens_seen, location)
                                 values (%s, 'step143000', 143000, 0, %s) returning id""", (model, checkpoint)).fetchone()[0]
            run = db.execute("insert into spectra.runs (name, family, config) values (%s, 'local', %s) returning id",
                             (name, json.dumps(args))).fetchone()[0]
            job = db.execute("""insert into spectra.jobs (run_id, kind, checkpoint_id, args)
                                values (%s, 'extract', %s, %s) returning id""", (run, ckpt, json.dumps(args))).fetchone()[0]
        return run, ckpt, job, spec

    def extractor(self, artifacts, *extra):
        env = {**os.environ, "DATABASE_URL": self.worker_url, "SPECTRA_LOG_LEVEL": "info", "CUDA_VISIBLE_DEVICES": ""}
        return subprocess.Popen([sys.executable, os.path.join(os.path.dirname(HERE), "extractor.py"), "--artifacts",
                                 artifacts, "--name", "test-extractor", *extra], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_artifacts_match_an_unbatched_forward_pass(self):
        self.check_against_unbatched("parity", self.checkpoint)

    def test_llama_artifacts_match_an_unbatched_forward_pass(self):
        """LlamaForCausalLM with GQA, head_dim != hidden / heads, biases and llama3 RoPE
        scaling: the Swift side's fixture, with its one-id-per-byte tokenizer."""
        self.check_against_unbatched("llama-parity", LLAMA)

    def check_against_unbatched(self, name, checkpoint):
        lines = [f"line {i}: " + "the quick brown fox jumps over the lazy dog " * (1 + i % 3) for i in range(40)]
        lines[5] = ""          # skipped: blank
        lines[9] = "short"     # dropped: under min_tokens
        run, ckpt, job, spec = self.plan(name, lines, samples=24, batch=5, checkpoint=checkpoint)
        config = json.loads(pathlib.Path(checkpoint, "config.json").read_text())
        width, states = config["hidden_size"], config["num_hidden_layers"] + 1
        store = os.path.join(self.tmp, f"store-{name}")
        proc = self.extractor(store, "--drain")
        out, err = proc.communicate(timeout=300)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("completed 1,", out)
        with psycopg.connect(self.owner) as db:
            state, completions = db.execute("select state, completions from spectra.jobs where id = %s", (job,)).fetchone()
            self.assertEqual((state, completions), ("completed", 1))
            rows = db.execute("""select layer, pooling, path, sha256, rows, columns, sample_lines, job_id, worker
                                 from spectra.artifacts where run_id = %s and checkpoint_id = %s order by pooling, layer""",
                              (run, ckpt)).fetchall()
        self.assertEqual(len(rows), 2 * states)
        tokenizer = Tokenizer.from_file(os.path.join(checkpoint, "tokenizer.json"))
        expected_lines, sequences = probe.select(spec, lambda t: tokenizer.encode(t, add_special_tokens=False).ids)
        self.assertNotIn(5, expected_lines)
        self.assertNotIn(9, expected_lines)
        model = AutoModel.from_pretrained(checkpoint, dtype=torch.float32).eval()
        with torch.inference_mode():
            alone = [model(input_ids=torch.tensor([s]), output_hidden_states=True).hidden_states for s in sequences]
        for layer, pooling, path, sha, nrows, ncols, sample_lines, job_id, worker in rows:
            self.assertEqual(path, f"run-{run}/ckpt-{ckpt}/{pooling}/layer-{layer:02d}.npy")
            data = pathlib.Path(os.path.join(store, path)).read_bytes()
            self.assertEqual(hashlib.sha256(data).hexdigest(), sha)
            matrix = np.load(os.path.join(store, path))
            self.assertEqual(matrix.dtype, np.dtype("<f4"))
            self.assertTrue(matrix.flags["C_CONTIGUOUS"])
            self.assertEqual((nrows, ncols), (24, width))
            self.assertEqual(matrix.shape, (24, width))
            self.assertEqual(list(sample_lines), expected_lines)
            self.assertEqual((job_id, worker), (job, "test-extractor"))
            for row, hidden in enumerate(alone):
                states = hidden[layer][0]
                want = states[-1] if pooling == "last" else states.mean(dim=0)
                np.testing.assert_allclose(matrix[row], want.numpy(), atol=1e-4, rtol=0)

    def test_matches_the_swift_extract_job(self):
        """The artifact contract: the same probe rows, and values within 1e-4 of what
        `spectra work --kinds extract` wrote for an identically planned run (both fp32
        on the CPU; they differ only in summation order)."""
        store = os.path.join(self.tmp, "parity-store")
        env = {**os.environ, "DATABASE_URL": self.owner, "SPECTRA_LOG_LEVEL": "error"}
        plan = [SPECTRA, "plan", "--family", "local", "--model", SERIES, "--probe", os.path.join(ROOT, "examples", "probe.txt"),
                "--samples", "24", "--max-tokens", "32", "--pooling", "last", "mean", "--artifacts", store]
        with psycopg.connect(self.owner, autocommit=True) as db:
            # Other tests' runs must not be picked up by either worker.
            db.execute("update spectra.jobs set state = 'discarded' where state = 'available'")
        subprocess.run(plan + ["--name", "swift-side"], check=True, capture_output=True, env=env)
        subprocess.run([SPECTRA, "work", "--kinds", "extract", "--drain"], check=True, capture_output=True, env=env)
        subprocess.run(plan + ["--name", "python-side"], check=True, capture_output=True, env=env)
        proc = self.extractor(store, "--drain")
        out, err = proc.communicate(timeout=300)
        self.assertEqual(proc.returncode, 0, err)
        with psycopg.connect(self.owner) as db:
            rows = db.execute("""select r.name, a.checkpoint_id, a.layer, a.pooling, a.path, a.rows, a.columns, a.sample_lines
                                   from spectra.artifacts a join spectra.runs r on r.id = a.run_id
                                  where r.name in ('swift-side', 'python-side')""").fetchall()
        sides = {}
        for name, ckpt, layer, pooling, path, nrows, ncols, lines in rows:
            sides.setdefault((ckpt, layer, pooling), {})[name] = (path, nrows, ncols, list(lines))
        self.assertGreater(len(sides), 0)
        for key, pair in sides.items():
            self.assertEqual(set(pair), {"swift-side", "python-side"}, key)
            swift, python = pair["swift-side"], pair["python-side"]
            self.assertEqual(swift[1:], python[1:], key)
            np.testing.assert_allclose(np.load(os.path.join(store, python[0])), np.load(os.path.join(store, swift[0])),
                                       atol=1e-4, rtol=0, err_msg=str(key))

    def test_sigterm_releases_the_running_job(self):
        lines = [f"sample {i} " + "lorem ipsum dolor sit amet " * 3 for i in range(3000)]
        run, ckpt, job, _ = self.plan("release", lines, samples=3000, batch=1)
        proc = self.extractor(os.path.join(self.tmp, "store2"), "--grace", "0", "--interrupted-exit-code", "143")
        with psycopg.connect(self.owner, autocommit=True) as db:
            for _ in range(600):
                if db.execute("select state from spectra.jobs where id = %s", (job,)).fetchone()[0] == "running":
                    break
                time.sleep(0.1)
            time.sleep(1)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
            self.assertEqual(proc.returncode, 143, err)
            self.assertIn("released 1", out)
            state, attempt, leased = db.execute("select state, attempt, leased_by from spectra.jobs where id = %s",
                                                (job,)).fetchone()
            self.assertEqual((state, attempt, leased), ("available", 0, None))
            self.assertEqual(db.execute("select count(*) from spectra.artifacts where run_id = %s", (run,)).fetchone()[0], 0)
            # Leave nothing claimable for other tests.
            db.execute("update spectra.jobs set state = 'discarded' where id = %s", (job,))


if __name__ == "__main__":
    unittest.main()
