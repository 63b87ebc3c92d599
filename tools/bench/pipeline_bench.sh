#!/usr/bin/env bash
# End-to-end throughput of a run on one Pythia-160m-shaped checkpoint (random weights,
# 12 layers, width 768, the real GPT-NeoX tokenizer), on this machine: plan, then the
# extract, spectrum and weights jobs drained by workers as a cluster node would run them.
#
#   tools/bench/pipeline_bench.sh [DIR] [SAMPLES] [REVISIONS]
#
# DIR (default /tmp/spectra-pipeline-bench) receives the checkpoint (650 MB) on first use,
# made by tools/bench/forward/forward_bench.py with PYTHON (default /work/.venv-torch).
# SAMPLES probe sequences (default 256) of at most 128 tokens from examples/probe.txt;
# REVISIONS copies of the checkpoint (default 2) stand in for a series.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-/tmp/spectra-pipeline-bench}
samples=${2:-256}
revisions=${3:-2}
python=${PYTHON:-/work/.venv-torch/bin/python}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}

(cd "$root" && swift build -c release --product spectra >/dev/null)
spectra="$root/.build/release/spectra"
checkpoint="$dir/checkpoint"
if [ ! -f "$checkpoint/model.safetensors" ]; then
    mkdir -p "$checkpoint"
    "$python" "$root/tools/bench/forward/forward_bench.py" make "$checkpoint" >/dev/null 2>&1
fi
cp "$root/Tests/Fixtures/tokenizer/gpt-neox.json" "$checkpoint/tokenizer.json"

series="$dir/series"
rm -rf "$series" "$dir/state"
mkdir -p "$series" "$dir/state"
entries=()
for i in $(seq 0 $((revisions - 1))); do
    ln -s "$checkpoint" "$series/step$((i * 1000))"
    entries+=("{\"name\": \"step$((i * 1000))\", \"step\": $((i * 1000))}")
done
(IFS=,; echo "{\"model\": \"pythia-160m-shape\", \"family\": \"pythia-like\", \"tokens_per_step\": 2097152, \"revisions\": [${entries[*]}]}") > "$series/catalog.json"

chmod 755 "$dir" "$dir/state"
export DATABASE_URL=
unset DATABASE_URL
data="$dir/state/pg"
trap '"$spectra" db stop --data-dir "$data" >/dev/null 2>&1 || true' EXIT
"$spectra" db start --data-dir "$data" >/dev/null

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$spectra" plan --data-dir "$data" --family local --model "$series" --probe "$root/examples/probe.txt" \
    --samples "$samples" --max-tokens 128 --pooling last --artifacts "$dir/state/artifacts"

run() {  # kind, concurrency
    local start end jobs
    start=$(date +%s.%N)
    "$spectra" work --data-dir "$data" --drain --kinds "$1" --concurrency "$2" --log-level warning
    end=$(date +%s.%N)
    jobs=$(psql "$("$spectra" db url --data-dir "$data")" -tAc "select count(*) from spectra.jobs where kind = '$1' and state = 'completed'")
    awk -v k="$1" -v c="$2" -v n="$jobs" -v s="$start" -v e="$end" \
        'BEGIN { printf "%-8s concurrency %d: %4d jobs in %7.1f s = %7.1f jobs/min\n", k, c, n, e - s, n * 60 / (e - s) }'
}
total_start=$(date +%s.%N)
run extract 1     # one job at a time, OpenBLAS on both cores
run spectrum 2    # two jobs at once, one BLAS thread each
run weights 2
total_end=$(date +%s.%N)
jobs=$(psql "$("$spectra" db url --data-dir "$data")" -tAc "select count(*) from spectra.jobs where state = 'completed'")
awk -v n="$jobs" -v s="$total_start" -v e="$total_end" 'BEGIN { printf "all      %4d jobs in %7.1f s = %7.1f jobs/min end to end\n", n, e - s, n * 60 / (e - s) }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
