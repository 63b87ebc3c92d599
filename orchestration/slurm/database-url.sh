# Sourced by the sbatch scripts: exports DATABASE_URL read from a file that only its
# owner may read, so the password never sits in a script, an environment dump of the
# submit host, `scontrol show job` or `ps`. The file holds one libpq URL or keyword
# string, e.g. postgresql://node-worker:PASSWORD@db.cluster:6432/spectra?sslmode=verify-full&sslrootcert=/etc/spectra/ca.crt
#
# spectra_database_url FILE
spectra_database_url() {
    local file=$1
    if [ ! -f "$file" ]; then
        echo "spectra: database URL file $file does not exist (see docs/cluster.md#3-slurm)" >&2
        return 1
    fi
    local mode
    mode=$(stat -L -c %a "$file")
    # Any group or other permission bit refuses, as ssh does for private keys.
    if [ $(( 8#$mode & 8#077 )) -ne 0 ]; then
        echo "spectra: $file has mode $mode; it holds a password, so it must be readable by its owner only (chmod 600 $file)" >&2
        return 1
    fi
    if [ "$(stat -L -c %u "$file")" != "$(id -u)" ]; then
        echo "spectra: $file is not owned by $(id -un); refusing a password file another user controls" >&2
        return 1
    fi
    DATABASE_URL=$(head -n 1 "$file")
    if [ -z "$DATABASE_URL" ]; then
        echo "spectra: $file is empty" >&2
        return 1
    fi
    export DATABASE_URL
}
