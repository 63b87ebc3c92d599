#!/usr/bin/env bash
# `spectra status` and the README's queries with about a million jobs in spectra.jobs
# (not a test). A private PostgreSQL server; tools/bench/scale/status_jobs.sql writes
# 1,104,285 jobs in SQL (8 runs holding 7 copies of the paper's grid, as runs mid-way
# leave them: completed, running under live leases, waiting, paused, failed, discarded);
# with RESULTS=1 a result row for every completed job of one finished grid (run copy-1,
# 374k rows, tools/bench/scale/fill.sql) and `spectra aggregate`, so that the README's
# queries read the paper's grid. Then times, each REPEAT times (default 3):
#   * `spectra status` (all 8 runs) and `spectra status --run pythia-grid`,
#   * the queries of README.md and docs/views.md (output discarded),
# and prints a Markdown report, also saved in $OUT/report.md.
#
#   tools/bench/status_scale.sh
#   OUT=/tmp/x SPECTRA=/path/to/old/spectra tools/bench/status_scale.sh   # "before"
#   OUT=/tmp/x tools/bench/status_scale.sh                                # same data, this build
#
# An $OUT that already holds the database is reused (nothing is generated again; a newer
# build migrates it on its first command, and the migration is timed). Environment:
# SPECTRA (a built spectra binary; default: build the release product), OUT (default a
# fresh directory under /tmp), RESULTS, REPEAT, KEEP=1 (leave the server running).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$(mktemp -d /tmp/spectra-status-bench.XXXXXX)}
REPEAT=${REPEAT:-3}
if [ -z "${SPECTRA:-}" ]; then
    (cd "$ROOT" && swift build -c release --product spectra >/dev/null)
    SPECTRA="$ROOT/.build/release/spectra"
fi
mkdir -p "$OUT"
chmod 755 "$OUT"
DATA=$OUT/pg
unset DATABASE_URL
if [ -z "${KEEP:-}" ]; then
    trap '"$SPECTRA" db stop --data-dir "$DATA" >/dev/null 2>&1 || true' EXIT
fi
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }'; }
# Seconds a command takes, its output kept in $OUT/log; a failure stops the script.
timed() {
    local s; s=$(now)
    "$@" >>"$OUT/log" 2>&1 || { echo "failed: $* (see $OUT/log)" >&2; return 1; }
    since "$s"; echo
}
spectra() { "$SPECTRA" "$@" --data-dir "$DATA"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

"$SPECTRA" db start --data-dir "$DATA" >/dev/null
URL=$("$SPECTRA" db url --data-dir "$DATA")
sql() { psql "$URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
value() { psql "$URL" -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

REPORT=$OUT/report.md
{
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB;"
echo "PostgreSQL $(psql --version | awk '{print $3}'); spectra $SPECTRA at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'an unknown commit')."
echo "Load average at the start: $(load) (other work on the machine shares its cores)."
echo
} > "$REPORT"

MIGRATE=""
if [ "$(value "select to_regclass('spectra.jobs') is not null")" = t ] && [ "$(value "select count(*) > 0 from spectra.jobs")" = t ]; then
    MIGRATE=$(timed spectra db migrate)
    echo "reusing $DATA; migrating it took $MIGRATE s" >&2
else
    spectra db migrate >>"$OUT/log" 2>&1
    s=$(now)
    sql -1 -f "$HERE/scale/status_jobs.sql"
    sql -c "vacuum analyze"
    echo "wrote $(value "select count(*) from spectra.jobs") jobs in $(since "$s") s" >&2
    if [ -n "${RESULTS:-}" ]; then
        s=$(now)
        sql -v held=0 -v include=false -v runs=copy-1 -f "$HERE/scale/fill.sql"
        sql -c "vacuum analyze spectra.results"
        echo "wrote $(value "select count(*) from spectra.results") result rows in $(since "$s") s" >&2
        echo "first aggregate: $(timed spectra aggregate) s" >&2
        sql -c "vacuum analyze"
    fi
fi
# The generator dated completions and leases from its own clock: move the last ten minutes
# of completions and the live leases to now, so the rate window and the workers are real.
sql -c "update spectra.jobs j set completed_at = j.completed_at + s.shift
          from (select now() - max(completed_at) as shift, max(completed_at) as last from spectra.jobs) s
         where j.completed_at > s.last - interval '10 minutes'" \
    -c "update spectra.jobs set lease_expires_at = now() + interval '5 minutes' where state = 'running'" \
    -c "vacuum analyze spectra.jobs"
JOBS=$(value "select count(*) from spectra.jobs")
RUNS=$(value "select count(*) from spectra.runs")
RESULT_ROWS=$(value "select count(*) from spectra.results")
MODEL=$(value "select model from spectra.layer_metrics where source = 'weights' order by model limit 1")
MODEL=${MODEL:-pythia-160m}

# Each command REPEAT times; the times space-separated.
repeat() { local i; for i in $(seq "$REPEAT"); do timed "$@"; done | paste -sd' '; }
STATUS_ALL=$(repeat spectra status)
STATUS_ONE=$(repeat spectra status --run pythia-grid)
echo "status: all runs $STATUS_ALL s; one run $STATUS_ONE s" >&2

QUERIES=(
"select * from spectra.phase_boundaries"
"select revision, tokens_seen, layer, matrix, stable_rank, spectral_norm, powerlaw_alpha from spectra.layer_metrics where source = 'weights' and model = '$MODEL' order by tokens_seen, layer, matrix"
"select tokens_seen, layer, value from spectra.family_curves where model = '$MODEL' and metric = 'alpha_req' and pooling = 'last' order by layer, tokens_seen"
"select model, layer, collapse_end_tokens, entropy_peak_tokens, compression_onset_tokens, round(peak_rankme::numeric, 1) as peak_rankme from spectra.phase_boundaries order by model, layer"
"select tokens::bigint, round(pythia_value::numeric, 2) as pythia, round(olmo_value::numeric, 2) as olmo from spectra.family_comparison where metric = 'rankme' and source = 'representation' and depth_bin = 1 order by tokens"
"select stage, depth_bin, round(value::numeric, 2) as rankme, round(delta::numeric, 2) as from_base from spectra.variant_comparison where metric = 'rankme' and source = 'representation' and pooling = 'last' order by lineage, depth_bin, position"
)
NAMES=("README: phase_boundaries *" "views.md: layer_metrics, one model's weights" "views.md: family_curves, one model's alpha_req"
       "views.md: phase_boundaries ordered" "views.md: family_comparison" "views.md: variant_comparison")
{
echo "| measure ($JOBS jobs in $RUNS runs, $RESULT_ROWS result rows) | seconds, $REPEAT runs |"
echo "|---|---|"
[ -n "$MIGRATE" ] && echo "| \`spectra db migrate\` of this database | $MIGRATE |"
echo "| \`spectra status\` (all runs) | $STATUS_ALL |"
echo "| \`spectra status --run pythia-grid\` | $STATUS_ONE |"
for i in "${!QUERIES[@]}"; do
    rows=$(value "select count(*) from (${QUERIES[$i]}) q")
    echo "| ${NAMES[$i]} ($rows rows, model $MODEL) | $(repeat psql "$URL" -X -q -At -v ON_ERROR_STOP=1 -o /dev/null -c "${QUERIES[$i]}") |"
done
echo
echo "Load average at the end: $(load)."
} >> "$REPORT"
cat "$REPORT"
