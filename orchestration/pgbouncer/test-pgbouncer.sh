#!/usr/bin/env bash
# The worker protocol through a real PgBouncer in transaction pooling mode: a private
# PostgreSQL (TCP, scram-sha-256), PgBouncer in front of it with TLS from a self-signed
# CA, SPECTRA_TEST_WORKERS (16) `spectra work --drain` processes logging in as a
# spectra_worker login with sslmode=verify-full, and fewer server connections than
# workers. Checks every job completed exactly once, that verify-full refuses a host
# name the certificate does not name, and that the password appears in no log and no
# `spectra status` output. Needs root (runs the servers as postgres), Debian's
# pgbouncer and postgresql, openssl; exits 77 (skipped) without them.
#   orchestration/pgbouncer/test-pgbouncer.sh [path/to/spectra]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
spectra=$(readlink -f "${1:-${SPECTRA_BIN:-$root/.build/debug/spectra}}")
workers=${SPECTRA_TEST_WORKERS:-16}
started=$(date +%s)
# Close descriptors inherited from the caller (a test runner may watch its child
# through one): the daemons started below would keep them open after we exit.
for fd in $(ls /proc/$$/fd); do
    case $fd in 0|1|2|255) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
done
skip() { echo "SKIP: $*" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to run PostgreSQL and PgBouncer as the postgres user"
command -v pgbouncer >/dev/null || skip "pgbouncer not installed (apt-get install pgbouncer)"
command -v openssl >/dev/null || skip "openssl not installed"
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbin/initdb" ] || skip "PostgreSQL server binaries not found under /usr/lib/postgresql"

work=$(mktemp -d /tmp/spectra-pgbouncer.XXXXXX)
# The servers run as postgres and write their logs and pid files here.
chown postgres: "$work"
as_pg() { runuser -u postgres -- "$@"; }
pids=()
cleanup() {
    set +e
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    if [ -f "$work/pgbouncer.pid" ]; then
        bouncer=$(cat "$work/pgbouncer.pid")
        kill -INT "$bouncer" 2>/dev/null
        for _ in $(seq 30); do kill -0 "$bouncer" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$bouncer" 2>/dev/null
    fi
    [ -d "$work/pg" ] && as_pg "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1
    [ -n "${SPECTRA_TEST_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_port=$(free_port); bouncer_port=$(free_port)
owner_pw=$(openssl rand -hex 16); worker_pw=$(openssl rand -hex 16)

# --- a CA and a server certificate for "localhost" only.
(
    cd "$work"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=spectra test CA" \
        -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost\n' > san.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile san.ext -out server.crt 2>/dev/null
    chown postgres: server.key server.crt; chmod 600 server.key
)

# --- PostgreSQL on TCP with passwords.
echo "$owner_pw" > "$work/pwfile"; chown postgres: "$work/pwfile"
as_pg "$pgbin/initdb" -D "$work/pg" -U spectra_owner --pwfile="$work/pwfile" -A scram-sha-256 \
    --no-sync -E UTF8 --locale=C >/dev/null
rm "$work/pwfile"
as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/postgres.log" -w -o \
    "-p $pg_port -c listen_addresses=127.0.0.1 -k $work/pg -c max_connections=50 -c fsync=off" start >/dev/null
direct="postgresql://spectra_owner:$owner_pw@127.0.0.1:$pg_port/postgres"
psql -qAtX "$direct" -c "create database spectra" >/dev/null
owner_url="postgresql://spectra_owner:$owner_pw@127.0.0.1:$pg_port/spectra"
DATABASE_URL=$owner_url "$spectra" db migrate > "$work/migrate.log" 2>&1
psql -qAtX "$owner_url" -c "create role bouncer_node login password '$worker_pw' in role spectra_worker" >/dev/null
DATABASE_URL=$owner_url "$spectra" plan --family local --model "$root/examples/tiny-pythia" > "$work/plan.log" 2>&1
DATABASE_URL=$owner_url "$spectra" plan --family local --model "$root/examples/tiny-pythia" --name bouncer-2 >> "$work/plan.log" 2>&1
total=$(psql -qAtX "$owner_url" -c "select count(*) from spectra.jobs")

# --- PgBouncer: transaction pooling, TLS to clients, a pool smaller than the workers.
cat > "$work/userlist.txt" <<USERS
"bouncer_node" "$worker_pw"
"spectra_owner" "$owner_pw"
USERS
cat > "$work/pgbouncer.ini" <<INI
[databases]
spectra = host=127.0.0.1 port=$pg_port dbname=spectra
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $work/userlist.txt
pool_mode = transaction
default_pool_size = 6
max_client_conn = 200
client_tls_sslmode = require
client_tls_cert_file = $work/server.crt
client_tls_key_file = $work/server.key
logfile = $work/pgbouncer.log
pidfile = $work/pgbouncer.pid
INI
chown postgres: "$work/userlist.txt" "$work/pgbouncer.ini"; chmod 600 "$work/userlist.txt"
as_pg pgbouncer -d "$work/pgbouncer.ini" </dev/null >/dev/null 2>&1
for _ in $(seq 50); do [ -f "$work/pgbouncer.pid" ] && break; sleep 0.1; done

worker_url="postgresql://bouncer_node:$worker_pw@localhost:$bouncer_port/spectra?sslmode=verify-full&sslrootcert=$work/ca.crt"
# verify-full must refuse a name the certificate does not carry.
wrong_host=${worker_url/@localhost:/@127.0.0.1:}
if psql -qAtX "$wrong_host" -c "select 1" >/dev/null 2>&1; then
    fail "sslmode=verify-full accepted 127.0.0.1, which the certificate does not name"
fi
psql -qAtX "$worker_url" -c "select ssl from pg_stat_ssl where pid = pg_backend_pid()" >/dev/null \
    || fail "the worker login cannot connect through PgBouncer with verify-full"

# --- many workers through the pool.
for i in $(seq 1 "$workers"); do
    DATABASE_URL=$worker_url SPECTRA_LOG_LEVEL=info "$spectra" work --drain --name "bouncer-$i" \
        > "$work/worker-$i.out" 2> "$work/worker-$i.err" &
    pids+=("$!")
done
for pid in "${pids[@]}"; do wait "$pid" || fail "worker $pid exited with $?: $(tail -n 5 "$work"/worker-*.err)"; done
pids=()

sql() { psql -qAtX "$owner_url" -c "$1"; }
completed=$(sql "select count(*) from spectra.jobs where state = 'completed' and completions = 1")
[ "$completed" = "$total" ] || fail "$completed of $total jobs completed exactly once: $(sql "select state, completions, count(*) from spectra.jobs group by 1, 2")"
bad=$(sql "select count(*) from (select job_id from spectra.results group by job_id having count(*) <> 4) t")
[ "$bad" = 0 ] || fail "$bad jobs without exactly one row per matrix"
busy=$(grep -l "completed [1-9]" "$work"/worker-*.out | wc -l)
grep -q "not migrating the schema: this login may not" "$work/worker-1.err" \
    || fail "the worker did not run as the least-privilege login"

# --- no password in any output: worker logs, status, and a connection error.
DATABASE_URL=${owner_url/127.0.0.1:$pg_port/localhost:$bouncer_port}?sslmode=verify-full\&sslrootcert=$work/ca.crt \
    "$spectra" status > "$work/status.out" 2>&1 || fail "spectra status through PgBouncer failed: $(cat "$work/status.out")"
grep -q "completed" "$work/status.out" || fail "status shows no completed jobs: $(cat "$work/status.out")"
DATABASE_URL="postgresql://bouncer_node:$worker_pw@localhost:1/spectra?connect_timeout=2" \
    "$spectra" status > "$work/status-error.out" 2>&1 && fail "status against a closed port succeeded"
DATABASE_URL="postgresql://bouncer_node:wrong-$worker_pw@localhost:$bouncer_port/spectra?sslmode=verify-full&sslrootcert=$work/ca.crt" \
    "$spectra" work --drain > "$work/auth-error.out" 2>&1 && fail "a wrong password was accepted"
for pw in "$worker_pw" "$owner_pw"; do
    leaks=$(grep -l -- "$pw" "$work"/worker-*.out "$work"/worker-*.err "$work"/status*.out "$work"/auth-error.out \
        "$work/migrate.log" "$work/plan.log" 2>/dev/null || true)
    [ -z "$leaks" ] || fail "a password appears in: $leaks"
done
echo "PASS: $total jobs completed exactly once by $workers workers ($busy did work) through PgBouncer (transaction pooling, pool 6, TLS verify-full); no password in logs or status; $(( $(date +%s) - started )) s" >&2
