"""Spectra's GPU extractor: a worker that claims only `extract` jobs through the SQL job
protocol (sql/migrations 0002-0007), runs the forward pass (GPU: bf16 weights, fp32
pooling; else CPU fp32), writes the artifacts of the artifact contract and registers
them in the transaction that completes the job. Heartbeats every third of the lease;
SIGTERM/SIGINT stop claiming, give a running job --grace seconds, then release it.

    DATABASE_URL=... python extractor.py --artifacts /shared/artifacts [--drain]
"""
import argparse
import hashlib
import json
import logging
import os
import signal
import socket
import sys
import threading
import time

import numpy as np
import psycopg
from psycopg.rows import dict_row

import forward
import probe

log = logging.getLogger("spectra.extractor")


class LeaseLost(Exception):
    """The heartbeat found the lease gone: stop and write nothing."""


class Stopped(Exception):
    """Shutdown and the grace period is over: release the job."""


class Worker:
    def __init__(self, options):
        self.options = options
        self.url = options.database_url
        self.stop_requested_at = None
        self.interrupted = False
        self.summary = {"completed": 0, "failed": 0, "released": 0, "lost": 0}

    # --- signals and leases -------------------------------------------------------
    def request_stop(self, signum, frame):
        if self.stop_requested_at is None:
            self.stop_requested_at = time.monotonic()
            self.interrupted = True
            log.info("shutdown requested: no new claims, a running job gets %s s", self.options.grace)

    def heartbeat(self, job, lost, done):
        """Runs on its own thread and connection; sets `lost` when the lease is gone."""
        lease = self.options.lease_seconds
        with psycopg.connect(self.url, autocommit=True) as db:
            while not done.wait(lease / 3):
                held = db.execute("select spectra.heartbeat_job(%s, %s, %s)", (job["id"], job["lease_token"], lease)).fetchone()[0]
                if not held:
                    log.warning("lease on extract job #%s lost", job["id"])
                    lost.set()
                    return

    def check(self, lost):
        if lost.is_set():
            raise LeaseLost()
        if self.stop_requested_at is not None and time.monotonic() - self.stop_requested_at > self.options.grace:
            raise Stopped()

    # --- one job ------------------------------------------------------------------
    def run_job(self, db, job):
        args = job["args"]
        lost, done = threading.Event(), threading.Event()
        beat = threading.Thread(target=self.heartbeat, args=(job, lost, done), daemon=True)
        beat.start()
        try:
            rows = self.extract(job, args, lambda: self.check(lost) or False)
            self.check(lost)
            self.complete(db, job, rows)
        except Stopped:
            db.execute("select spectra.release_job(%s, %s)", (job["id"], job["lease_token"]))
            self.summary["released"] += 1
            log.warning("grace period over: released extract job #%s", job["id"])
        except LeaseLost:
            self.summary["lost"] += 1
        except (probe.ProbeError, FileNotFoundError, ValueError, KeyError) as error:
            self.fail(db, job, f"{type(error).__name__}: {error}", permanent=True)
        except Exception as error:  # a transient failure (CUDA OOM, I/O): retried with backoff
            self.fail(db, job, f"{type(error).__name__}: {error}", permanent=False)
        finally:
            done.set()
            beat.join()

    def extract(self, job, args, check):
        # This node's mount of the store, else the root the run was planned with.
        root = self.options.artifacts or args.get("artifacts")
        if not root:
            raise ValueError("no artifact store: pass --artifacts (or SPECTRA_ARTIFACTS); the job names none")
        device, dtype = forward.device_and_dtype()
        model, encode = forward.load(args["checkpoint"], device, dtype)
        lines, sequences = probe.select(args["probe"], encode)
        check()
        states = forward.pooled_states(model, sequences, list(args["layers"]), list(args.get("poolings", ["last"])),
                                       int(args.get("batch", 16)), device, should_stop=check)
        rows = []
        for (pooling, layer), matrix in sorted(states.items()):
            relative = f"run-{job['run_id']}/ckpt-{job['checkpoint_id']}/{pooling}/layer-{layer:02d}.npy"
            digest = write_npy(os.path.join(root, relative), matrix)
            rows.append((job["run_id"], job["checkpoint_id"], layer, pooling, relative, digest,
                         matrix.shape[0], matrix.shape[1], lines, job["id"], self.options.name))
        log.info("extract job #%s: %d samples, %d tokens, %d artifacts on %s", job["id"], len(lines),
                 sum(len(s) for s in sequences), len(rows), device)
        return rows

    def complete(self, db, job, rows):
        ok = False
        with db.transaction() as tx:
            db.cursor().executemany(
                """insert into spectra.artifacts (run_id, checkpoint_id, layer, pooling, path, sha256, rows, columns,
                                                  sample_lines, job_id, worker)
                   values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                   on conflict (run_id, checkpoint_id, layer, pooling) do update
                      set path = excluded.path, sha256 = excluded.sha256, rows = excluded.rows,
                          columns = excluded.columns, sample_lines = excluded.sample_lines,
                          job_id = excluded.job_id, worker = excluded.worker, created_at = now()""", rows)
            ok = db.execute("select spectra.complete_job(%s, %s)", (job["id"], job["lease_token"])).fetchone()[0]
            if not ok:
                # Fenced: the lease expired before the commit; another worker owns the job.
                raise psycopg.Rollback(tx)
        if ok:
            self.summary["completed"] += 1
            log.info("completed extract job #%s", job["id"])
        else:
            self.summary["lost"] += 1
            log.warning("extract job #%s: lease lost before completion; nothing recorded", job["id"])

    def fail(self, db, job, message, permanent):
        state = db.execute("select spectra.fail_job(%s, %s, %s, %s)", (job["id"], job["lease_token"], message, permanent)).fetchone()[0]
        self.summary["failed"] += 1
        log.error("extract job #%s failed (%s): %s", job["id"], state, message)

    # --- the loop -----------------------------------------------------------------
    def run(self):
        last_reap = 0.0
        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute("set application_name = 'spectra-gpu-extractor'")
            while self.stop_requested_at is None:
                if time.monotonic() - last_reap > self.options.lease_seconds:
                    db.execute("select spectra.reap_expired_jobs()")
                    last_reap = time.monotonic()
                cursor = db.cursor(row_factory=dict_row)
                claimed = cursor.execute("select * from spectra.claim_jobs(%s, 1, %s, array['extract'])",
                                         (self.options.name, self.options.lease_seconds)).fetchall()
                if claimed:
                    self.run_job(db, claimed[0])
                    continue
                if self.options.drain and not db.execute("select spectra.outstanding_work(array['extract'])").fetchone()[0]:
                    break
                time.sleep(self.options.poll_seconds)
        return self.summary


def write_npy(path, matrix):
    """Writes a float32 C-order .npy under a temporary name, renames it into place and
    returns the SHA-256 of its bytes."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "wb") as f:
        np.save(f, np.ascontiguousarray(matrix, dtype="<f4"))
    with open(temporary, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    os.replace(temporary, path)
    return digest


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", default=os.environ.get("SPECTRA_ARTIFACTS"), help="artifact store root as this node mounts it (default: the root the run was planned with)")
    parser.add_argument("--name", default=os.environ.get("SPECTRA_WORKER_NAME") or f"{socket.gethostname()}:{os.getpid()}")
    parser.add_argument("--lease-seconds", type=float, default=60)
    parser.add_argument("--grace", type=float, default=25)
    parser.add_argument("--poll-seconds", type=float, default=1)
    parser.add_argument("--drain", action="store_true", help="exit once no extract job could still need a worker")
    parser.add_argument("--interrupted-exit-code", type=int, default=0,
                        help="exit status after SIGTERM/SIGINT stopped the worker before it drained")
    options = parser.parse_args(argv)
    options.database_url = os.environ.get("DATABASE_URL", "")
    if not options.database_url:
        parser.error("DATABASE_URL is not set")
    if options.lease_seconds < 3:
        parser.error("--lease-seconds must be at least 3")
    return options


def main(argv):
    logging.basicConfig(level=os.environ.get("SPECTRA_LOG_LEVEL", "info").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    options = parse(argv)
    worker = Worker(options)
    signal.signal(signal.SIGTERM, worker.request_stop)
    signal.signal(signal.SIGINT, worker.request_stop)
    # A blocked mask is inherited across exec (some launchers spawn from threads that
    # block signals); a worker that never sees SIGTERM would be SIGKILLed mid-write.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    s = worker.run()
    print(f"completed {s['completed']}, failed {s['failed']}, released {s['released']}, lost {s['lost']}")
    return options.interrupted_exit_code if worker.interrupted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
