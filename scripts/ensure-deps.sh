#!/usr/bin/env bash
# Makes sure the system packages Spectra builds and runs with are present. As root it
# installs what is missing from Debian's archive; otherwise it names the packages and
# fails, so nothing happens behind the user's back.
set -euo pipefail

packages=(libopenblas-dev liblapacke-dev pkg-config libpq-dev postgresql)
# `--cluster` (scripts/test): the engines the orchestration tests run on, and Chromium,
# which renders the HTML report in its test. Installed as root; otherwise those tests
# show as skipped, so they are not required.
cluster=(slurm-wlm munge pgbouncer openssl python3-venv chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${1:-}" = --cluster ] && [ "$(id -u)" -eq 0 ]; then
  for p in "${cluster[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "spectra: installing ${missing[*]} (Debian packages)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "spectra: missing Debian packages: ${missing[*]}" >&2
    echo "         install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "spectra: no Swift toolchain on PATH (Swift 6.1 or newer is needed; see swift.org/install)" >&2
  exit 1
fi
