#!/usr/bin/env bash
# The job queue benchmark (not a test): Spectra's SQL protocol against its peers on one
# fresh PostgreSQL server, in one run, so the ratios hold whatever the machine.
#
#   tools/bench/queue.sh                 # prints a Markdown report, also saved in $OUT
#
# Measures, with pgbench as the client for everything (the same client for the peer):
#   * no-op jobs claimed and completed per second for 1, 2, 4, 8, 16 workers and claim
#     batches of 1, 10, 100, each completion fenced by the lease token and writing one
#     result row in its transaction: one at a time as the worker runtime does it (the
#     completion's transaction claims the next job), batches as claim, then completion;
#     beside it plain SKIP LOCKED (no token, no result row), and one at a time the old way
#   * batch 100 at 8 workers again while 10,000 other jobs are held by other workers
#   * claim latency p50/p99 (1 and 8 clients) with 10k and with 1M rows in spectra.jobs
#   * heartbeats per second with 1,000 running jobs (8 clients)
#   * pgbench -N (simple update) TPS, 8 clients: the one-row-per-transaction ceiling
#   * pgqueuer's own benchmark when PGQUEUER_BENCHMARK names its tools/benchmark.py and
#     tools/bench/.venv has pgqueuer (pip install pgqueuer asyncpg typer uvloop tabulate tqdm)
# Environment: DURATION (seconds per timed pgbench run, default 10), OUT (directory),
# PGBIN (PostgreSQL programs), THREADS (pgbench -j, default 2).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCRIPTS=$HERE/queue
DURATION=${DURATION:-10}
THREADS=${THREADS:-2}
OUT=${OUT:-$(mktemp -d /tmp/spectra-queue-bench.XXXXXX)}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PORT=${PORT:-5497}
mkdir -p "$OUT"
chmod 755 "$OUT"
DATA=$OUT/data
SOCK=$OUT

# initdb and postgres refuse to run as root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
psql_q() { "$PGBIN/psql" -h "$SOCK" -p "$PORT" -U bench -X -q -v ON_ERROR_STOP=1 "$@"; }
# Prepared statements: variables travel as typed parameters, as from a real client.
pgb() { "$PGBIN/pgbench" -h "$SOCK" -p "$PORT" -U bench -n -M prepared "$@"; }
tps() { sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p'; }
whole() { awk '{ printf "%.0f", $1 }'; }

if [ "$(id -u)" = 0 ]; then chown postgres "$OUT"; fi
as_pg "$PGBIN/initdb" -D "$DATA" -U bench -A trust -E UTF8 --locale=C >/dev/null
# Stock settings except the socket: fsync and synchronous_commit stay on.
as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$OUT/server.log" -w \
    -o "-k $SOCK -c listen_addresses='' -p $PORT" start >/dev/null
trap 'as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true' EXIT

"$PGBIN/createdb" -h "$SOCK" -p "$PORT" -U bench spectra
# Each migration in its own transaction, as spectra's migrator applies them (some lock
# tables, which only works inside one).
psql_q spectra -c "create schema spectra;"
for f in "$ROOT"/sql/migrations/*.sql; do psql_q spectra -1 -f "$f"; done
psql_q spectra -f "$SCRIPTS/seed.sql"

# Adds n available no-op jobs at priority p (default 0; layer = a fresh number, so
# result keys never collide).
add_jobs() {
    psql_q spectra -c "insert into spectra.jobs (run_id, kind, checkpoint_id, layer, priority)
        select 1, 'weights', 1, coalesce((select max(layer) from spectra.jobs), 0) + g, ${2:-0} from generate_series(1, $1) g"
}
add_plain() { psql_q spectra -c "insert into plain_jobs (payload) select '{}' from generate_series(1, $1)"; }
count() { psql_q spectra -At -c "$1"; }

REPORT=$OUT/report.md
{
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB;"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), stock settings (fsync on, synchronous_commit on), Unix socket;"
echo "pgbench as the client for every row, -j $THREADS threads, ${DURATION} s per timed run."
echo "Disk: $("$PGBIN/pg_test_fsync" -s 1 -f "$OUT/fsync.test" 2>/dev/null | awk '/fdatasync/ && /ops\/sec/ {print $2, "fdatasync/s"; exit}') (pg_test_fsync; every commit waits for one)."
echo "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shares its cores)."
echo
} > "$REPORT"

# 1. Throughput: fixed job counts per configuration (drained completely), so each
#    measures a steady queue rather than a race to empty it.
declare -A TOTAL=([1]=10000 [10]=60000 [100]=200000)
declare -A RATE
for batch in 1 10 100; do
    for workers in 1 2 4 8 16; do
        total=${TOTAL[$batch]}
        per_client=$(( total / (workers * batch) ))
        # One job to spare per client at batch 1: each client's last completion claims one.
        add_jobs $(( per_client * workers * batch + (batch == 1 ? workers : 0) ))
        before=$(count "select coalesce(sum(completions), 0) from spectra.jobs")
        if [ "$batch" = 1 ]; then
            # complete_and_claim: each client's first transaction only claims, so one more
            # transaction than jobs, and the rate is scaled back to jobs.
            t=$(pgb -c "$workers" -j "$(( workers < THREADS ? workers : THREADS ))" -t $(( per_client + 1 )) \
                -D id=0 -D tok=00000000-0000-0000-0000-000000000000 -f "$SCRIPTS/spectra_one.pgbench" spectra | tps)
            t=$(awk -v t="$t" -v n="$per_client" 'BEGIN { print t * n / (n + 1) }')
        else
            t=$(pgb -c "$workers" -j "$(( workers < THREADS ? workers : THREADS ))" -t "$per_client" -D batch="$batch" -f "$SCRIPTS/spectra_batch.pgbench" spectra | tps)
        fi
        after=$(count "select coalesce(sum(completions), 0) from spectra.jobs")
        done_jobs=$(( after - before ))
        if [ "$done_jobs" != $(( per_client * workers * batch )) ]; then
            echo "warning: batch $batch × $workers workers completed $done_jobs of $(( per_client * workers * batch ))" >&2
        fi
        RATE[$batch,$workers]=$(awk -v t="$t" -v b="$batch" 'BEGIN { printf "%.0f", t * b }')
        echo "spectra batch $batch, $workers workers: ${RATE[$batch,$workers]} jobs/s" >&2
    done
    if [ "$batch" = 1 ]; then
        # The same one at a time as before migration 0011 (claim, then completion: two commits).
        add_jobs 10000
        t=$(pgb -c 8 -j "$THREADS" -t 1250 -f "$SCRIPTS/spectra_one_two_commits.pgbench" spectra | tps)
        RATE[two,1]=$(awk -v t="$t" 'BEGIN { printf "%.0f", t }')
        echo "spectra one at a time with two commits per job, 8 workers: ${RATE[two,1]} jobs/s" >&2
    fi
    add_plain "${TOTAL[$batch]}"
    t=$(pgb -c 8 -j "$THREADS" -t $(( TOTAL[$batch] / (8 * batch) )) -D batch="$batch" -f "$SCRIPTS/plain_batch.pgbench" spectra | tps)
    RATE[plain,$batch]=$(awk -v t="$t" -v b="$batch" 'BEGIN { printf "%.0f", t * b }')
    echo "plain SKIP LOCKED batch $batch, 8 workers: ${RATE[plain,$batch]} jobs/s" >&2
done

# 1b. Batch 100 at 8 workers while 10,000 other jobs are held by other workers (a large
#     cluster): a batch's completion and heartbeat must not cost more as the running set grows.
add_jobs 10000 1
psql_q spectra -c "select count(*) from spectra.claim_jobs('elsewhere', 10000, 3600)" >/dev/null
add_jobs 200000
psql_q spectra -c "vacuum analyze spectra.jobs"
t=$(pgb -c 8 -j "$THREADS" -t 250 -D batch=100 -f "$SCRIPTS/spectra_batch.pgbench" spectra | tps)
RATE[held,100]=$(awk -v t="$t" 'BEGIN { printf "%.0f", t * 100 }')
echo "spectra batch 100, 8 workers, 10,000 other jobs running: ${RATE[held,100]} jobs/s" >&2

# 2. pgbench -N, the ceiling for one-row-per-transaction work.
"$PGBIN/createdb" -h "$SOCK" -p "$PORT" -U bench pgb
"$PGBIN/pgbench" -h "$SOCK" -p "$PORT" -U bench -i -s 10 -q pgb >/dev/null 2>&1
PGBENCH_N=$(pgb -N -c 8 -j "$THREADS" -T "$DURATION" pgb | tps | whole)
echo "pgbench -N: $PGBENCH_N TPS" >&2

# 3. Claim latency with 10k and with 1M rows (all available: the whole table is in the
#    partial fetch index, its worst case), 1 client and 8 clients, 4,000 claims, each
#    its own committed transaction and each logged.
latency() {
    local rows=$1 clients=$2
    psql_q spectra -c "truncate spectra.results, spectra.artifacts, spectra.job_dependencies, spectra.job_keys, spectra.jobs"
    add_jobs "$rows"
    psql_q spectra -c "vacuum analyze spectra.jobs"
    rm -rf "$OUT/lat" && mkdir -p "$OUT/lat"
    (cd "$OUT/lat" && pgb -c "$clients" -j "$(( clients < THREADS ? clients : THREADS ))" -t $(( 4000 / clients )) -l \
        -f "$SCRIPTS/claim_only.pgbench" spectra >/dev/null)
    # Column 3 of pgbench's log is the transaction's latency in microseconds.
    cat "$OUT"/lat/pgbench_log.* | awk '{print $3}' | sort -n |
        awk '{ v[NR] = $1 } END { printf "%.2f %.2f", v[int(NR * 0.50)] / 1000, v[int(NR * 0.99)] / 1000 }'
}
declare -A LAT
for rows in 10000 1000000; do
    for clients in 1 8; do
        LAT[$rows,$clients]=$(latency "$rows" "$clients")
        echo "claim latency, $rows rows, $clients clients (p50 p99 ms): ${LAT[$rows,$clients]}" >&2
    done
done

# 4. Heartbeats with 1,000 running jobs, tokens made predictable for the script.
psql_q spectra -c "truncate spectra.results, spectra.artifacts, spectra.job_dependencies, spectra.job_keys, spectra.jobs"
add_jobs 1000
psql_q spectra -c "select count(*) from spectra.claim_jobs('bench', 1000, 3600)" >/dev/null
psql_q spectra -c "update spectra.jobs set lease_token = md5(id::text)::uuid"
range=$(count "select min(id) || ' ' || max(id) from spectra.jobs")
HEARTBEATS=$(pgb -c 8 -j "$THREADS" -T "$DURATION" -D lo="${range% *}" -D hi="${range#* }" -f "$SCRIPTS/heartbeat.pgbench" spectra | tps | whole)
echo "heartbeats/s at 1,000 running jobs: $HEARTBEATS" >&2

# 5. pgqueuer's own benchmark on the same server, when available.
PGQ=""
if [ -n "${PGQUEUER_BENCHMARK:-}" ] && [ -x "$HERE/.venv/bin/python" ]; then
    "$PGBIN/createdb" -h "$SOCK" -p "$PORT" -U bench pgq
    export PGHOST=$SOCK PGPORT=$PORT PGUSER=bench PGDATABASE=pgq
    "$HERE/.venv/bin/python" -m pgqueuer install >/dev/null
    "$HERE/.venv/bin/python" "$PGQUEUER_BENCHMARK" --time "$DURATION" --output-json "$OUT/pgq.json" > "$OUT/pgq.txt" 2>&1 || true
    PGQ=$(sed -n 's/.*"rate": *\([0-9.]*\).*/\1/p' "$OUT/pgq.json" 2>/dev/null | head -1 | awk '{ printf "%.0f", $1 }')
    "$HERE/.venv/bin/python" "$PGQUEUER_BENCHMARK" --strategy drain --output-json "$OUT/pgq-drain.json" > "$OUT/pgq-drain.txt" 2>&1 || true
    PGQ_DRAIN=$(sed -n 's/.*"rate": *\([0-9.]*\).*/\1/p' "$OUT/pgq-drain.json" 2>/dev/null | head -1 | awk '{ printf "%.0f", $1 }')
    unset PGHOST PGPORT PGUSER PGDATABASE
    echo "pgqueuer: ${PGQ:-failed} jobs/s (drain ${PGQ_DRAIN:-failed})" >&2
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "—" }'; }
{
echo "| jobs/s (claim + complete + result row; batch 1 claims the next job in the completion's transaction) | 1 worker | 2 | 4 | 8 | 16 | plain SKIP LOCKED, 8 | Spectra ÷ plain at 8 |"
echo "|---|---|---|---|---|---|---|---|"
for batch in 1 10 100; do
    echo "| batch $batch | ${RATE[$batch,1]} | ${RATE[$batch,2]} | ${RATE[$batch,4]} | ${RATE[$batch,8]} | ${RATE[$batch,16]} | ${RATE[plain,$batch]} | $(ratio "${RATE[$batch,8]}" "${RATE[plain,$batch]}") |"
done
echo
echo "| measure | value | vs. pgbench -N ($PGBENCH_N TPS) |"
echo "|---|---|---|"
echo "| one at a time, 8 workers (jobs/s) | ${RATE[1,8]} | $(ratio "${RATE[1,8]}" "$PGBENCH_N") |"
echo "| one at a time with two commits per job (claim, then completion; before 0011), 8 workers | ${RATE[two,1]} | $(ratio "${RATE[two,1]}" "$PGBENCH_N") |"
echo "| batch 100, 8 workers (jobs/s) | ${RATE[100,8]} | $(ratio "${RATE[100,8]}" "$PGBENCH_N") |"
echo "| batch 100, 8 workers, while 10,000 other jobs are running (jobs/s) | ${RATE[held,100]} | $(ratio "${RATE[held,100]}" "$PGBENCH_N") |"
echo "| heartbeats/s, 1,000 running jobs, 8 clients | $HEARTBEATS | $(ratio "$HEARTBEATS" "$PGBENCH_N") |"
for rows in 10000 1000000; do
    for clients in 1 8; do
        l=${LAT[$rows,$clients]}
        echo "| claim latency p50 / p99, $rows rows, $clients client(s) | ${l% *} / ${l#* } ms | |"
    done
done
if [ -n "$PGQ" ]; then
    echo "| pgqueuer $("$HERE/.venv/bin/pip" show pgqueuer | awk '/^Version/ {print $2}'), its benchmark, defaults (jobs/s) | $PGQ (drain ${PGQ_DRAIN:-—}) | Spectra batch 10 at 8 workers ÷ pgqueuer: $(ratio "${RATE[10,8]}" "$PGQ") |"
fi
# A 10-second job costs the queue one claim and one completion at the one-worker rate.
awk -v r="${RATE[1,1]}" 'BEGIN { printf "\nQueue overhead on a 10-second job: %.3f ms (claim + completion at 1 worker) = %.4f%%.\n", 1000 / r, 100 / r / 10 }'
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} >> "$REPORT"
cat "$REPORT"
