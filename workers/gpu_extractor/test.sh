#!/usr/bin/env bash
# Runs the GPU extractor's tests on the CPU. Needs a python with requirements.txt
# installed (SPECTRA_EXTRACTOR_PYTHON, default python3) and a built spectra binary
# (SPECTRA_BIN, default .build/debug/spectra) for the private PostgreSQL.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=${SPECTRA_EXTRACTOR_PYTHON:-python3}
# Close descriptors inherited from the caller (a test runner may watch its child
# through one): the daemons started below would keep them open after we exit.
for fd in $(ls /proc/$$/fd); do
    case $fd in 0|1|2|255) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
done
"$python" -c "import torch, transformers, tokenizers, psycopg" 2>/dev/null \
    || { echo "SKIP: $python lacks torch/transformers/tokenizers/psycopg (pip install -r $here/requirements.txt)" >&2; exit 77; }
cd "$here"
exec "$python" -m unittest discover -s tests -v
