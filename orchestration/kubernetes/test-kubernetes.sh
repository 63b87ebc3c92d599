#!/usr/bin/env bash
# Validates the manifests against the Kubernetes schemas (kubernetes-validate, pinned in
# orchestration/requirements-tools.txt, installed into a venv under .build/) for the oldest and newest
# versions we support, then checks grace consistency (check_manifests.py), and that the
# check catches a manifest whose grace does not fit. Needs python3 with venv and PyPI.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=$("$root/orchestration/tools-venv.sh")
manifests=("$here"/*.yaml)
# podFailurePolicy is GA from 1.31.
for version in 1.31.0 1.37.0; do
    "$venv/bin/kubernetes-validate" --strict --quiet -k "$version" "${manifests[@]}"
done
"$venv/bin/python" "$here/check_manifests.py" "${manifests[@]}"

# The check must fail when the grace does not fit, or it proves nothing.
bad=$(mktemp --suffix=.yaml)
trap 'rm -f "$bad"' EXIT
sed 's/terminationGracePeriodSeconds: 40/terminationGracePeriodSeconds: 30/' "$here/workers-cpu.yaml" > "$bad"
if "$venv/bin/python" "$here/check_manifests.py" "$bad" 2>/dev/null; then
    echo "FAIL: check_manifests.py accepted --grace 25 with terminationGracePeriodSeconds 30" >&2
    exit 1
fi
echo "PASS: ${#manifests[@]} manifests valid for Kubernetes 1.31 and 1.37; grace, disruption and Secret checks hold" >&2
