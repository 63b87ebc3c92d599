#!/usr/bin/env bash
# The aggregation benchmark at the paper's scale (not a test): a private PostgreSQL server,
# the full grid planned for real (Pythia's 8 sizes × 154 revisions, OLMo-1B and OLMo-7B,
# last and mean pooling, 15,000 probe sequences, every layer), a result row for every job
# written in SQL as finished workers leave them (2,048 eigenvalues per representation
# row, the model's width per weight row), then wall-clock timings of
#   * `spectra aggregate` (the first, over everything),
#   * `spectra aggregate` again after one more checkpoint's results land (Pythia-12b's last),
#   * `spectra aggregate` with nothing new,
#   * `spectra report` for each run,
#   * the README's queries,
#   * `spectra status` (all runs, and one run) and the README's queries again with
#     about a million jobs in spectra.jobs (six copies of the grid's jobs under other runs),
# and the database's size. Prints a Markdown report, also saved in $OUT/report.md.
#
#   tools/bench/scale.sh
#
# Environment: SPECTRA (a built spectra binary; default: build the release product),
# OUT (directory, default a fresh one under /tmp), PYTHIA (sizes, default all 8),
# OLMO (models, default "olmo-1b olmo-7b"; empty for none).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$(mktemp -d /tmp/spectra-scale-bench.XXXXXX)}
PYTHIA=${PYTHIA:-70m 160m 410m 1b 1.4b 2.8b 6.9b 12b}
OLMO=${OLMO-olmo-1b olmo-7b}
if [ -z "${SPECTRA:-}" ]; then
    (cd "$ROOT" && swift build -c release --product spectra >/dev/null)
    SPECTRA="$ROOT/.build/release/spectra"
fi
mkdir -p "$OUT"
chmod 755 "$OUT"
DATA=$OUT/pg
unset DATABASE_URL
trap '"$SPECTRA" db stop --data-dir "$DATA" >/dev/null 2>&1 || true' EXIT
"$SPECTRA" db start --data-dir "$DATA" >/dev/null
URL=$("$SPECTRA" db url --data-dir "$DATA")
sql() { psql "$URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
value() { psql "$URL" -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }'; }
# Seconds a command takes, its output kept in $OUT/log.
timed() { local s; s=$(now); "$@" >>"$OUT/log" 2>&1; since "$s"; }
spectra() { "$SPECTRA" "$@" --data-dir "$DATA"; }

REPORT=$OUT/report.md
{
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB;"
echo "PostgreSQL $(psql --version | awk '{print $3}'), the embedded server's settings; spectra at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'an unknown commit')."
echo "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shares its cores)."
echo
} > "$REPORT"

# 1. Plan the grid for real.
s=$(now)
models=()
for size in $PYTHIA; do models+=(--model "pythia-$size"); done
spectra plan --family pythia "${models[@]}" --probe "$ROOT/examples/probe.txt" --samples 15000 \
    --pooling last mean --artifacts "$OUT/artifacts" --name pythia-grid >>"$OUT/log" 2>&1
if [ -n "$OLMO" ]; then
    models=()
    for m in $OLMO; do models+=(--model "$m"); done
    spectra plan --family olmo "${models[@]}" --probe "$ROOT/examples/probe.txt" --samples 15000 \
        --pooling last mean --artifacts "$OUT/artifacts" --name olmo-grid >>"$OUT/log" 2>&1
fi
PLAN=$(since "$s")
JOBS=$(value "select count(*) from spectra.jobs")
CHECKPOINTS=$(value "select count(*) from spectra.checkpoints")
echo "planned $JOBS jobs over $CHECKPOINTS checkpoints in $PLAN s" >&2

# 2. Results for every job but the last checkpoint of the largest Pythia (it lands later).
HELD=$(value "select c.id from spectra.checkpoints c join spectra.models m on m.id = c.model_id
               where m.family = 'pythia' order by m.hidden_size * m.num_layers desc, c.step desc limit 1")
s=$(now)
sql -v held="$HELD" -v include=false -v runs= -f "$HERE/scale/fill.sql"
sql -c "vacuum analyze"
FILL=$(since "$s")
RESULTS=$(value "select count(*) from spectra.results")
REPRESENTATION=$(value "select count(*) from spectra.results where source = 'representation'")
echo "wrote $RESULTS result rows ($REPRESENTATION representation) in $FILL s" >&2

# 3. Aggregation: the first, after one more checkpoint, with nothing new.
FIRST=$(timed spectra aggregate)
echo "first aggregate: $FIRST s" >&2
sql -v held="$HELD" -v include=true -v runs= -f "$HERE/scale/fill.sql"
NEW_ROWS=$(value "select count(*) from spectra.results where checkpoint_id = $HELD")
SECOND=$(timed spectra aggregate)
echo "aggregate after one more checkpoint ($NEW_ROWS rows): $SECOND s" >&2
THIRD=$(timed spectra aggregate)
echo "aggregate with nothing new: $THIRD s" >&2
VIEWS=$(value "select string_agg(format('%s %s', v, n), ', ') from (
    select 'layer_metrics' v, count(*) n from spectra.layer_metrics union all
    select 'family_curves', count(*) from spectra.family_curves union all
    select 'phase_boundaries', count(*) from spectra.phase_boundaries union all
    select 'family_comparison', count(*) from spectra.family_comparison union all
    select 'variant_comparison', count(*) from spectra.variant_comparison) x")

# 4. Reports, one per run.
REPORTS=""
for run in pythia-grid ${OLMO:+olmo-grid}; do
    t=$(timed spectra report --run "$run" --out "$OUT/report-$run")
    REPORTS="$REPORTS $run $t s,"
    echo "report $run: $t s" >&2
done

# 5. The README's queries (output discarded), each timed on its own.
QUERIES=(
"select tokens::bigint, round(pythia_value::numeric, 2) as pythia, round(olmo_value::numeric, 2) as olmo from spectra.family_comparison where metric = 'rankme' and source = 'representation' and depth_bin = 1 order by tokens"
"select model, layer, collapse_end_tokens, entropy_peak_tokens, compression_onset_tokens, round(peak_rankme::numeric, 1) as peak_rankme from spectra.phase_boundaries order by model, layer"
"select * from spectra.phase_boundaries"
"select revision, tokens_seen, layer, matrix, stable_rank, spectral_norm from spectra.layer_metrics order by tokens_seen, layer, matrix"
)
queries() {
    local q
    for q in "${QUERIES[@]}"; do
        echo "$(timed psql "$URL" -X -q -At -v ON_ERROR_STOP=1 -o /dev/null -c "$q")"
    done | paste -sd' '
}
Q_GRID=$(queries)
echo "README queries on the grid: $Q_GRID s" >&2

# 6. About a million jobs: status and the queries again.
sql -f "$HERE/scale/million.sql"
MILLION=$(value "select count(*) from spectra.jobs")
STATUS_ALL=$(timed spectra status)
STATUS_ONE=$(timed spectra status --run pythia-grid)
Q_MILLION=$(queries)
echo "$MILLION jobs: status $STATUS_ALL s (all runs), $STATUS_ONE s (one run); queries $Q_MILLION s" >&2

DB_SIZE=$(value "select pg_size_pretty(pg_database_size(current_database()))")
RESULTS_SIZE=$(value "select pg_size_pretty(pg_total_relation_size('spectra.results'))")
ARTIFACTS=$(grep -E '^ *(artifacts|results) +~' "$OUT/log" | paste -sd';' - || true)
{
echo "| measure | value |"
echo "|---|---|"
echo "| plan (real planner, $CHECKPOINTS checkpoints) | $JOBS jobs in $PLAN s |"
echo "| result rows written in SQL | $RESULTS ($REPRESENTATION representation) in $FILL s |"
echo "| first \`spectra aggregate\` | $FIRST s |"
echo "| \`spectra aggregate\` after one more checkpoint ($NEW_ROWS result rows) | $SECOND s |"
echo "| \`spectra aggregate\` with nothing new | $THIRD s |"
echo "| view rows | $VIEWS |"
echo "| \`spectra report\` per run |${REPORTS%,} |"
echo "| README queries (family_comparison, phase_boundaries ordered, phase_boundaries *, layer_metrics ordered), s | $Q_GRID |"
echo "| \`spectra status\` with $MILLION jobs: all runs / one run | $STATUS_ALL s / $STATUS_ONE s |"
echo "| README queries with $MILLION jobs, s | $Q_MILLION |"
echo "| database size (spectra.results with its TOAST) | $DB_SIZE ($RESULTS_SIZE) |"
echo "| planner's storage estimate | ${ARTIFACTS:-see $OUT/log} |"
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} >> "$REPORT"
cat "$REPORT"
