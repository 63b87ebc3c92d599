#!/usr/bin/env bash
# Prints the path of a venv holding the pinned orchestration test tools
# (requirements-tools.txt), creating it under .build/ on first use.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv=${SPECTRA_ORCHESTRATION_VENV:-$here/../.build/orchestration-venv}
stamp="$venv/.requirements-tools.txt"
if ! cmp -s "$here/requirements-tools.txt" "$stamp"; then
    python3 -m venv "$venv" >&2 || { echo "python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements-tools.txt" >&2
    cp "$here/requirements-tools.txt" "$stamp"
fi
(cd "$venv" && pwd)
