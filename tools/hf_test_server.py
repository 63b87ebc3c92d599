#!/usr/bin/env python3
"""A Hugging Face–compatible file server over a local hub cache, for Spectra's download tests.

Serves GET/HEAD /ORG/NAME/resolve/REVISION/FILE from ROOT/models--ORG--NAME the way the Hub
does: small files answer 200 with ETag (the git blob id) and X-Repo-Commit; .safetensors
and .bin files (LFS) answer 302 to /cdn/... with X-Linked-Etag (their sha256),
X-Linked-Size and X-Repo-Commit, and /cdn/... honours Range requests (206 + Content-Range).
GET /api/models/ORG/NAME/refs lists the repository's branches (one per file under refs/)
as {"branches": [{"name", "ref", "targetCommit"}], "tags": [], "converts": []}.

Fault modes, for the tests:
  --cut-after N      the first plain (non-Range) GET of each /cdn/ blob sends the full
                     Content-Length but closes the connection after N bytes.
  --corrupt          /cdn/ blobs are served with one byte flipped (size unchanged).
  --token T          every request needs "Authorization: Bearer T" (else 401).
  --alias A=B        serve repo B's files under repo name A (e.g. EleutherAI/pythia-70m=spectra/tiny-pythia).
  --log FILE         append "METHOD PATH RANGE" per request.
Prints the port it listens on (127.0.0.1, chosen by the OS) as its first stdout line.
Python 3.11 standard library only.
"""

import argparse
import http.server
import json
import os
import pathlib
import re
import sys
import threading


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True, type=pathlib.Path)
    parser.add_argument("--cut-after", type=int, default=None)
    parser.add_argument("--corrupt", action="store_true")
    parser.add_argument("--token", default=None)
    parser.add_argument("--alias", action="append", default=[])
    parser.add_argument("--log", default=None)
    args = parser.parse_args()
    aliases = dict(a.split("=", 1) for a in args.alias)
    cut_done = set()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def record(self):
            if args.log:
                with lock, open(args.log, "a") as f:
                    f.write(f"{self.command} {self.path} {self.headers.get('Range', '-')}\n")

        def fail(self, status, text):
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):
            self.handle_request()

        def do_GET(self):
            self.handle_request()

        def handle_request(self):
            self.record()
            if args.token and self.headers.get("Authorization") != f"Bearer {args.token}":
                return self.fail(401, "Invalid credentials")
            m = re.fullmatch(r"/cdn/([^/]+)/([^/]+)/([0-9a-f]+)", self.path)
            if m:
                return self.blob(m.group(1) + "/" + m.group(2), m.group(3))
            m = re.fullmatch(r"/api/models/([^/]+)/([^/]+)/refs", self.path)
            if m:
                return self.refs(m.group(1) + "/" + m.group(2))
            m = re.fullmatch(r"/([^/]+)/([^/]+)/resolve/([^/]+)/(.+)", self.path)
            if not m:
                return self.fail(404, "Not found")
            repo, revision, file = m.group(1) + "/" + m.group(2), m.group(3), m.group(4)
            folder = args.root / ("models--" + aliases.get(repo, repo).replace("/", "--"))
            ref = folder / "refs" / revision
            commit = ref.read_text().strip() if ref.is_file() else revision
            link = folder / "snapshots" / commit / file
            if ".." in file or not link.exists():
                return self.fail(404, "Entry not found")
            blob = os.path.basename(os.readlink(link))
            size = link.stat().st_size
            if file.endswith(".safetensors") or file.endswith(".bin"):
                self.send_response(302)
                self.send_header("Location", f"/cdn/{repo}/{blob}")
                self.send_header("X-Linked-Etag", f'"{blob}"')
                self.send_header("X-Linked-Size", str(size))
                self.send_header("X-Repo-Commit", commit)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = link.read_bytes()
            self.send_response(200)
            self.send_header("ETag", f'"{blob}"')
            self.send_header("X-Repo-Commit", commit)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(data)

        def refs(self, repo):
            folder = args.root / ("models--" + aliases.get(repo, repo).replace("/", "--")) / "refs"
            if not folder.is_dir():
                return self.fail(404, "Repository not found")
            branches = [{"name": ref.name, "ref": "refs/heads/" + ref.name, "targetCommit": ref.read_text().strip()}
                        for ref in sorted(folder.iterdir()) if ref.is_file()]
            body = json.dumps({"branches": branches, "tags": [], "converts": []}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)

        def blob(self, repo, name):
            path = args.root / ("models--" + aliases.get(repo, repo).replace("/", "--")) / "blobs" / name
            if not path.is_file():
                return self.fail(404, "No such blob")
            data = bytearray(path.read_bytes())
            if args.corrupt:
                data[len(data) // 2] ^= 0xFF
            start, status = 0, 200
            rng = self.headers.get("Range")
            if rng:
                m = re.fullmatch(r"bytes=(\d+)-", rng)
                if not m or int(m.group(1)) >= len(data):
                    return self.fail(416, "Range not satisfiable")
                start, status = int(m.group(1)), 206
            self.send_response(status)
            self.send_header("Content-Length", str(len(data) - start))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if self.command == "HEAD":
                return
            with lock:
                cut = args.cut_after is not None and not rng and name not in cut_done
                if cut:
                    cut_done.add(name)
            if cut:
                self.wfile.write(bytes(data[: args.cut_after]))
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.wfile.write(bytes(data[start:]))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
