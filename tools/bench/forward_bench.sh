#!/usr/bin/env bash
# Forward pass, Pythia-160m shape (random weights), float32, batch 16 × 128, all 13 hidden
# states pooled last and mean, no LM head: Spectra against transformers/PyTorch CPU with the
# same threads in one run, plus OpenBLAS sgemm in the Spectra process and peak RSS of both.
#
#   tools/bench/forward_bench.sh [DIR] [ROUNDS] [REPEATS]
#
# The machine is shared, so torch and Spectra run alternately REPEATS times (default 2),
# each process timing ROUNDS (default 3) forward passes after a warm-up.
# DIR (default /tmp/spectra-forward-bench) receives the checkpoint (650 MB) on first use.
# PYTHON defaults to /work/.venv-torch/bin/python (tools/requirements-models.txt).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-/tmp/spectra-forward-bench}
rounds=${2:-3}
repeats=${3:-2}
python=${PYTHON:-/work/.venv-torch/bin/python}
threads=2
# Both sides under the setting this environment forces (docs/benchmarks.md).
export OPENBLAS_CORETYPE=Haswell OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads

(cd "$root" && swift build -c release --product forward-bench >/dev/null)
if [ ! -f "$dir/model.safetensors" ]; then
    mkdir -p "$dir"
    "$python" "$root/tools/bench/forward/forward_bench.py" make "$dir" >/dev/null 2>&1
fi

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE, $threads threads"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
log=$(mktemp)
for repeat in $(seq "$repeats"); do
    echo "-- repeat $repeat, load $(cut -d' ' -f1 /proc/loadavg)"
    /usr/bin/time -v "$python" "$root/tools/bench/forward/forward_bench.py" time "$dir" --threads $threads --rounds "$rounds" 2>"$log"
    echo "torch peak RSS: $(awk -F: '/Maximum resident/ {printf "%.2f GiB", $2 / 1048576}' "$log")"
    /usr/bin/time -v "$root/.build/release/forward-bench" "$dir" "$rounds" 2>"$log"
    echo "spectra peak RSS: $(awk -F: '/Maximum resident/ {printf "%.2f GiB", $2 / 1048576}' "$log")"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$log"
