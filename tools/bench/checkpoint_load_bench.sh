#!/usr/bin/env bash
# Loading a checkpoint: pytorch_model.bin against model.safetensors, the same random-init
# Pythia-160m-shaped GPT-NeoX in float16 (324 MB either way). Spectra's side is
# `spectra activations` on one 8-token line for the last layer only, so the run is the load
# (every tensor mapped, validated, widened to Float32) plus one tiny forward pass; the peer
# is PyTorch loading the same file and widening to float32. Wall time and peak RSS from
# /usr/bin/time -v, REPEATS (default 3) alternating runs each, with a cold page cache
# impossible to force here: every run after the first reads the file from the page cache.
#
#   tools/bench/checkpoint_load_bench.sh [DIR] [REPEATS]
#
# DIR (default /tmp/spectra-load-bench) receives both checkpoints on first use; never commit it.
# PYTHON defaults to /work/venv-tools/bin/python (tools/requirements-torch.txt).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-/tmp/spectra-load-bench}
repeats=${2:-3}
python=${PYTHON:-/work/venv-tools/bin/python}
export OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2

(cd "$root" && swift build -c release --product spectra >/dev/null)
spectra="$root/.build/release/spectra"
[ -f "$dir/bin/pytorch_model.bin" ] || "$python" "$root/tools/bench/checkpoint_load.py" make "$dir"
cp -f "$root/Tests/Fixtures/tokenizer/tokenizer.json" "$dir/safetensors/"
cp -f "$root/Tests/Fixtures/tokenizer/tokenizer.json" "$dir/bin/"
echo "The quick brown fox jumps over the lazy dog." > "$dir/probe.txt"

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, 2 threads"
echo "files: $(du -b "$dir/safetensors/model.safetensors" | cut -f1) B safetensors, $(du -b "$dir/bin/pytorch_model.bin" | cut -f1) B bin"
measure() { # label, command...
    local label=$1; shift
    local log; log=$(mktemp)
    /usr/bin/time -v "$@" >"$log.out" 2>"$log"
    local wall rss cpu
    wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$log")
    printf '%-34s wall %8s  cpu %6s s  peak RSS %5d MB  %s\n' "$label" "$wall" "$cpu" $((rss / 1024)) \
        "$(head -c 40 "$log.out" | tr '\n' ' ')"
    rm -f "$log" "$log.out"
}
for _ in $(seq "$repeats"); do
    for form in safetensors bin; do
        measure "spectra activations ($form)" "$spectra" activations "$dir/$form" --text "$dir/probe.txt" \
            --max-tokens 8 --layers 12 --out "$dir/out-$form"
    done
    measure "torch peer (safetensors)" "$python" "$root/tools/bench/checkpoint_load.py" peer "$dir/safetensors/model.safetensors"
    measure "torch peer (bin)" "$python" "$root/tools/bench/checkpoint_load.py" peer "$dir/bin/pytorch_model.bin"
done
