#!/usr/bin/env bash
# End-to-end test on a REAL single-node SLURM: starts munged, slurmctld and slurmd from
# a private slurm.conf, a private PostgreSQL (`spectra db start --data-dir`), plans
# SPECTRA_TEST_RUNS runs of examples/tiny-pythia (weights jobs), submits the coordinator
# and a worker array through orchestration/slurm/*.sbatch, requeues some running
# tasks with `scontrol requeue` while they hold jobs, and checks that the run
# completed with every job exactly once (completions = 1, one results row per
# matrix). Needs root and Debian's slurm-wlm and munge; exits 77 (skipped) without.
#   orchestration/slurm/test-slurm.sh [path/to/spectra]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
spectra=$(readlink -f "${1:-${SPECTRA_BIN:-$root/.build/debug/spectra}}")
runs=${SPECTRA_TEST_RUNS:-4}
tasks=${SPECTRA_TEST_TASKS:-4}
started=$(date +%s)
# Close descriptors inherited from the caller (a test runner may watch its child
# through one): the daemons started below would keep them open after we exit.
for fd in $(ls /proc/$$/fd); do
    case $fd in 0|1|2|255) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
done

skip() { echo "SKIP: $*" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to run slurmctld, slurmd and munged"
for tool in slurmctld slurmd munged sbatch scontrol squeue; do
    command -v "$tool" >/dev/null || skip "$tool not installed (apt-get install slurm-wlm munge)"
done
[ -x "$spectra" ] || { echo "FAIL: no spectra binary at $spectra (swift build)" >&2; exit 1; }

work=$(mktemp -d /tmp/spectra-slurm.XXXXXX)
chmod 755 "$work"   # the postgres user must reach the data directory below it
host=$(hostname -s)
pids=()
cleanup() {
    set +e
    scancel --quiet --full --signal=KILL "--name=spectra-worker" 2>/dev/null
    scancel --quiet --full --signal=KILL "--name=spectra-coordinator" 2>/dev/null
    for f in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
        [ -f "$f" ] && pids+=("$(cat "$f")")
    done
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for _ in $(seq 50); do
        alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break; sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    "$spectra" db stop --data-dir "$work/pg" >/dev/null 2>&1
    [ -n "${SPECTRA_TEST_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$work"/logs/*.out "$work/slurmctld.log"; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; } >&2; done
    exit 1
}

# --- munge and SLURM, all state under $work, ports away from a real installation's.
mkdir -p "$work/munge" "$work/state" "$work/spool" "$work/logs"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1 count=1024 status=none
chmod 700 "$work/munge"; chmod 400 "$work/munge/munge.key"
# Daemons get no stdio of ours: a caller reading our output to EOF (the Swift test)
# would otherwise wait for them too.
wait_for_file() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.2; done; fail "$1 did not appear"; }
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.sock" \
       --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed" \
       </dev/null >/dev/null 2>&1
wait_for_file "$work/munge/munged.pid"

export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=spectratest
SlurmctldHost=$host
SlurmctldPort=${SPECTRA_TEST_SLURMCTLD_PORT:-16817}
SlurmdPort=${SPECTRA_TEST_SLURMD_PORT:-16818}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
JobRequeue=1
KillWait=20
SchedulerParameters=sched_interval=2
NodeName=$host CPUs=8 RealMemory=2000 State=UNKNOWN
PartitionName=cpu Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -i </dev/null >/dev/null 2>&1; wait_for_file "$work/slurmctld.pid"
slurmd </dev/null >/dev/null 2>&1; wait_for_file "$work/slurmd.pid"
for _ in $(seq 60); do
    state=$(sinfo -h -N -o %t 2>/dev/null | head -n 1)
    [ "$state" = idle ] && break
    sleep 1
done
[ "$state" = idle ] || fail "the SLURM node did not become idle (state '$state')"
echo "slurm up after $(( $(date +%s) - started )) s" >&2

# --- a private PostgreSQL; the owner plans, a spectra_worker login works.
"$spectra" db start --data-dir "$work/pg" >/dev/null 2>&1
owner_url=$("$spectra" db url --data-dir "$work/pg")
umask 077
mkdir -p "$work/home/.config/spectra"
echo "$owner_url" > "$work/home/.config/spectra/owner-url"
echo "${owner_url/user=spectra/user=slurm_node}" > "$work/home/.config/spectra/worker-url"
umask 022

# A group-readable URL file is refused before anything connects.
cp "$work/home/.config/spectra/worker-url" "$work/loose-url"; chmod 640 "$work/loose-url"
if (. "$root/orchestration/slurm/database-url.sh"; spectra_database_url "$work/loose-url") 2>"$work/refusal"; then
    fail "a group-readable URL file was accepted"
fi
grep -q "mode 640" "$work/refusal" || fail "refusal does not name the mode: $(cat "$work/refusal")"

export HOME="$work/home" SPECTRA_SLURM_DIR="$root/orchestration/slurm" SPECTRA_BIN="$spectra" SPECTRA_LOG_LEVEL=info
cd "$work/logs"
coordinator=$(sbatch --parsable --wait "$SPECTRA_SLURM_DIR/coordinator.sbatch" \
    --family local --model "$root/examples/tiny-pythia" --name slurm-test-0) \
    || fail "the coordinator job failed"
export DATABASE_URL=$owner_url
psql -qAtX "$DATABASE_URL" -c "create role slurm_node login in role spectra_worker" >/dev/null
# More runs of the same series, so the array is busy long enough to be preempted.
for i in $(seq 1 $((runs - 1))); do
    "$spectra" plan --family local --model "$root/examples/tiny-pythia" --name "slurm-test-$i" >/dev/null 2>&1
done
sql() { psql -qAtX "$DATABASE_URL" -c "$1"; }
total=$(sql "select count(*) from spectra.jobs")
echo "coordinator $coordinator planned; $total weights jobs in $runs runs" >&2

# --batch 4: each worker holds four leases at a time, so a requeue always finds claimed,
# unstarted jobs to release (a tiny weights job alone finishes within the grace).
array=$(sbatch --parsable --array=0-$((tasks - 1)) --cpus-per-task=1 \
    --export=ALL,SPECTRA_KINDS=weights,SPECTRA_GRACE=5,SPECTRA_LEASE_SECONDS=15 \
    "$SPECTRA_SLURM_DIR/worker.sbatch" --batch 4)
echo "worker array $array submitted" >&2

# --- preempt: requeue up to half the tasks, choosing ones whose worker holds leases
# right now (leased_by is slurm-<array>_<task>.r<restart>), so each is cut off mid-run.
requeued=0
victims=()
for _ in $(seq 120); do
    mapfile -t victims < <(sql "select distinct substring(leased_by from '_([0-9]+)\.r0') from spectra.jobs
                                where state = 'running' and leased_by like 'slurm-${array}\_%' limit $((tasks / 2))")
    [ "${#victims[@]}" -ge $((tasks / 2)) ] && break
    sleep 0.5
done
for task in "${victims[@]}"; do
    scontrol requeue "${array}_${task}" && requeued=$((requeued + 1))
done
# A requeued job waits out a begin-time delay (about two minutes); a real cluster can
# afford it, the test starts the tasks again as soon as they are pending.
for task in "${victims[@]}"; do
    for _ in $(seq 60); do
        [ "$(squeue -h -j "${array}_${task}" -o %T)" = PENDING ] && break
        sleep 0.5
    done
    scontrol update "JobId=${array}_${task}" StartTime=now
done
[ "$requeued" -gt 0 ] || fail "no task held a lease to requeue"
echo "requeued $requeued task(s) mid-run at $(( $(date +%s) - started )) s" >&2

# --- wait for the array to leave the queue (requeued tasks run again, then drain).
for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$array" 2>/dev/null)" ] && break
    sleep 1
done
[ -z "$(squeue -h -j "$array")" ] || fail "the worker array did not finish within 10 minutes"

# --- exactly once.
completed=$(sql "select count(*) from spectra.jobs where state = 'completed' and completions = 1")
[ "$completed" = "$total" ] || fail "$completed of $total jobs completed exactly once: $(sql "select state, completions, count(*) from spectra.jobs group by 1, 2")"
bad=$(sql "select count(*) from (select job_id from spectra.results group by job_id having count(*) <> 4) t")
rows=$(sql "select count(*) from spectra.results")
[ "$bad" = 0 ] && [ "$rows" = $((total * 4)) ] || fail "results: $rows rows for $total jobs, $bad jobs without exactly 4"
incarnations=$(grep -ho 'spectra: slurm-[0-9_]*\.r[1-9]' "$work"/logs/spectra-worker-*.out | sort -u | wc -l)
[ "$incarnations" -ge "$requeued" ] || fail "$incarnations of $requeued requeued tasks started again with SLURM_RESTART_COUNT > 0"
restarted=$(sql "select count(distinct worker) from spectra.results where worker ~ '\\.r[1-9]'")
released=$(grep -ho 'released [0-9]*' "$work"/logs/spectra-worker-*.out | awk '{s += $2} END {print s + 0}')
echo "PASS: $total jobs completed exactly once, $rows results rows; $requeued tasks requeued and started again, $released job(s) released on SIGTERM, $restarted requeued incarnation(s) completed jobs; $(( $(date +%s) - started )) s" >&2
