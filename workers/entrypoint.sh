#!/bin/sh
# Container entrypoint for the Swift worker: sets the environment up, then execs
# `spectra` so it is PID 1's only process and receives SIGTERM from the runtime
# directly (no shell in between to swallow it). Arguments are spectra's, e.g.
# `work --drain --kinds weights`.
set -eu

# A URL in a mounted secret file (Docker/Podman secrets, a Kubernetes Secret volume)
# rather than the environment, where `docker inspect` would show it.
if [ -n "${DATABASE_URL_FILE:-}" ]; then
    DATABASE_URL=$(head -n 1 "$DATABASE_URL_FILE")
    export DATABASE_URL
fi

# OpenBLAS starts one thread per host CPU, not per CPU the container may use: size it
# from the cgroup v2 quota (cpu.max "quota period") unless the user chose.
if [ -z "${OPENBLAS_NUM_THREADS:-}" ]; then
    threads=$(nproc)
    if [ -r /sys/fs/cgroup/cpu.max ]; then
        read -r quota period < /sys/fs/cgroup/cpu.max || true
        if [ "${quota:-max}" != max ] && [ "${period:-0}" -gt 0 ]; then
            threads=$(( (quota + period - 1) / period ))
        fi
    fi
    OPENBLAS_NUM_THREADS=$threads
    export OPENBLAS_NUM_THREADS
fi

exec "${SPECTRA_BIN:-/usr/local/bin/spectra}" "$@"
