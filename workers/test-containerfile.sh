#!/usr/bin/env bash
# Lints every Containerfile under workers/ with hadolint (pinned in
# orchestration/requirements-tools.txt) and checks the entrypoint: it execs the worker
# (same PID, so SIGTERM reaches it), reads DATABASE_URL_FILE, and sizes OpenBLAS.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
venv=$("$root/orchestration/tools-venv.sh")
mapfile -t files < <(find "$here" -name Containerfile | sort)
"$venv/bin/hadolint" "${files[@]}"
sh -n "$here/entrypoint.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/spectra" <<'STUB'
#!/bin/sh
echo "pid=$$ args=$* url=$DATABASE_URL blas=$OPENBLAS_NUM_THREADS"
STUB
chmod +x "$tmp/spectra"
echo 'postgresql://w@db/spectra' > "$tmp/url"
out=$(SPECTRA_BIN="$tmp/spectra" DATABASE_URL_FILE="$tmp/url" sh -c 'echo "shell=$$"; exec "$0" work --drain' "$here/entrypoint.sh")
shell=$(echo "$out" | sed -n 's/^shell=//p')
echo "$out" | grep -q "^pid=$shell args=work --drain url=postgresql://w@db/spectra blas=[1-9]" \
    || { echo "FAIL: entrypoint did not exec the worker with the URL and BLAS threads: $out" >&2; exit 1; }
out=$(SPECTRA_BIN="$tmp/spectra" OPENBLAS_NUM_THREADS=3 DATABASE_URL=x "$here/entrypoint.sh" work)
echo "$out" | grep -q "blas=3" || { echo "FAIL: the entrypoint overrode OPENBLAS_NUM_THREADS: $out" >&2; exit 1; }
echo "PASS: hadolint clean on ${#files[@]} Containerfile(s); the entrypoint execs the worker" >&2
