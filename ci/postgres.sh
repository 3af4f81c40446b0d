#!/usr/bin/env bash
# Run a throwaway PostgreSQL 15 cluster on loopback for the tests.
#
# Usage:
#   ci/postgres.sh start DIR PORT   create a cluster in DIR, start it on 127.0.0.1:PORT, wait until
#                                   it accepts connections, and print the admin URL
#   ci/postgres.sh crash DIR        stop it with `pg_ctl stop -m immediate`, as a crash would, keeping DIR
#   ci/postgres.sh resume DIR       start a stopped or crashed cluster again and wait until it is ready
#   ci/postgres.sh stop DIR         stop it (fast mode) and remove DIR
#
# The cluster trusts every local and loopback connection and has one superuser, `numberline`,
# so the admin URL is postgres://numberline@127.0.0.1:PORT/postgres. It listens on 127.0.0.1
# only, keeps its Unix socket inside DIR, and runs with fsync off: a crash of the machine can
# lose its data, which is fine for test data and nothing else.
#
# initdb and postgres refuse to run as root, so under uid 0 the server binaries run as the user
# `nobody` and DIR is handed to that user. DIR must then be reachable by `nobody`, for example a
# directory made with `mktemp -d` in /tmp. PG_BINDIR overrides /usr/lib/postgresql/15/bin.
set -euo pipefail

bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
superuser=numberline
# The file that marks DIR as made by this script, so that `stop` never removes another directory.
marker=.numberline-postgres

usage() {
    echo "usage: $0 start DIR PORT | crash DIR | resume DIR | stop DIR" >&2
    exit 2
}

# Runs a command as the owner of the cluster: `nobody` under root, else the caller.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

# Exits with an error unless DIR contains a cluster made by this script.
require_cluster() {
    if [ ! -f "$1/$marker" ] || [ ! -f "$1/data/PG_VERSION" ]; then
        echo "error: $1 contains no cluster made by '$0 start'; check DIR" >&2
        exit 1
    fi
}

# Closes every file descriptor above 2 of the current shell. The server outlives this script and
# would otherwise keep the caller's descriptors open. Swift's Foundation.Process on Linux, for one,
# learns that a child exited when a socket the child inherited closes, so it would wait forever.
close_inherited_descriptors() {
    local descriptor
    for descriptor in $(ls /proc/$$/fd); do
        if [ "$descriptor" -gt 2 ]; then
            eval "exec $descriptor>&-"
        fi
    done
}

# Starts the cluster in DIR and waits up to 60 s until it accepts connections.
start_server() {
    local dir=$1
    # The subshell has parsed its commands, so it can close bash's own descriptor of this script too.
    if ! (close_inherited_descriptors && cd "$dir" && as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s start); then
        echo "error: PostgreSQL in $dir did not start; its log follows" >&2
        cat "$dir/server.log" >&2
        exit 1
    fi
}

if [ "$#" -lt 2 ]; then
    usage
fi
command=$1
# An absolute path, because pg_ctl and the server run from inside DIR.
dir=$(realpath -m "$2")

case "$command" in
    start)
        [ "$#" -eq 3 ] || usage
        port=$3
        if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
            echo "error: PORT must be a number from 1 to 65535, got: $port" >&2
            exit 2
        fi
        if [ ! -x "$bindir/initdb" ]; then
            echo "error: $bindir/initdb is missing; install postgresql-15 (ci/install-deps.sh does)" >&2
            exit 1
        fi
        mkdir -p "$dir"
        if [ -n "$(ls -A "$dir")" ]; then
            echo "error: $dir is not empty; give start a new or empty directory" >&2
            exit 1
        fi
        touch "$dir/$marker"
        if [ "$(id -u)" -eq 0 ]; then
            chown nobody "$dir"
            if ! runuser -u nobody -- test -w "$dir"; then
                echo "error: the user nobody cannot write to $dir; choose a DIR that user can reach, such as one made with mktemp -d under /tmp" >&2
                exit 1
            fi
        fi

        # --no-sync because the cluster lives only as long as one test run.
        if ! (cd "$dir" && as_owner "$bindir/initdb" -D "$dir/data" -U "$superuser" --auth=trust --encoding=UTF8 \
            --locale=C --no-sync >"$dir/initdb.log" 2>&1); then
            echo "error: initdb failed in $dir; its output follows" >&2
            cat "$dir/initdb.log" >&2
            exit 1
        fi
        # max_connections 300 leaves room for the many servers that the end-to-end suites run at once.
        as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
        start_server "$dir"
        echo "postgres://$superuser@127.0.0.1:$port/postgres"
        ;;
    crash)
        [ "$#" -eq 2 ] || usage
        require_cluster "$dir"
        (cd "$dir" && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -s stop)
        ;;
    resume)
        [ "$#" -eq 2 ] || usage
        require_cluster "$dir"
        start_server "$dir"
        ;;
    stop)
        [ "$#" -eq 2 ] || usage
        if [ ! -e "$dir" ]; then
            exit 0
        fi
        require_cluster "$dir"
        if [ -f "$dir/data/postmaster.pid" ]; then
            (cd "$dir" && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 -s stop)
        fi
        rm -rf "$dir"
        ;;
    *)
        usage
        ;;
esac
