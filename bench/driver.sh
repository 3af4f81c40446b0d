# Shared body of bench/run and bench/sections, sourced after they set `program` (the name
# used in messages) and `driver` (the Python script in bench/ that runs the benchmark).
#
# It checks the tools (wrk, nginx, curl, python3) and the release binary, installs
# nothing and exits 2 naming what is missing. It makes a temporary directory and runs the
# driver in the background, so that a signal runs the exit trap at once. The trap stops
# the driver and every process listed in the directory's pid file, then removes the
# directory after a successful run and keeps it, with the server logs, after a failed one.

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$bench_dir")
binary="$repo_dir/.build/release/numberline"

for argument in "$@"; do
    if [[ "$argument" == "-h" || "$argument" == "--help" ]]; then
        exec python3 "$bench_dir/$driver" --temp-dir /nonexistent --binary /nonexistent --help
    fi
done

missing=0
require() {
    local tool=$1 remedy=$2
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$program: $tool is missing; install it with: $remedy" >&2
        missing=1
    fi
}
require wrk "apt-get install wrk"
require nginx "apt-get install nginx-light (or nginx)"
require curl "apt-get install curl"
require python3 "apt-get install python3"
if [[ ! -x "$binary" ]]; then
    echo "$program: $binary is missing; build it with: swift build -c release (in $repo_dir)" >&2
    missing=1
fi
if (( missing )); then
    exit 2
fi

temp_dir=$(mktemp -d "${TMPDIR:-/tmp}/numberline-bench.XXXXXX")
python_pid=""

# Stops the driver and every process listed in the pid file, then removes the directory
# unless the run failed.
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n "$python_pid" ]] && kill -0 "$python_pid" 2>/dev/null; then
        kill -TERM "$python_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$python_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$python_pid" 2>/dev/null || true
    fi
    # A PostgreSQL cluster of --backend postgres: SIGINT is its fast shutdown, which
    # disconnects the servers' sessions instead of waiting for them.
    if [[ -f "$temp_dir/postmaster-pids" ]]; then
        while read -r pid; do
            if grep -qF "$temp_dir" "/proc/$pid/cmdline" 2>/dev/null; then
                kill -INT "$pid" 2>/dev/null || true
                for _ in $(seq 50); do
                    kill -0 "$pid" 2>/dev/null || break
                    sleep 0.2
                done
                kill -KILL "$pid" 2>/dev/null || true
            fi
        done < "$temp_dir/postmaster-pids"
    fi
    if [[ -f "$temp_dir/pids" ]]; then
        while read -r pid; do
            # Each recorded process has the temporary directory in its arguments; the
            # check skips a pid that the system has since given to another process.
            if grep -qF "$temp_dir" "/proc/$pid/cmdline" 2>/dev/null; then
                kill -TERM "$pid" 2>/dev/null || true
                for _ in $(seq 50); do
                    kill -0 "$pid" 2>/dev/null || break
                    sleep 0.2
                done
                kill -KILL "$pid" 2>/dev/null || true
            fi
        done < "$temp_dir/pids"
    fi
    if (( status == 0 )); then
        rm -rf "$temp_dir"
    else
        echo "$program: failed with status $status; the logs are kept in $temp_dir" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# In the background, so that a signal to this script runs the trap at once.
python3 "$bench_dir/$driver" --temp-dir "$temp_dir" --binary "$binary" "$@" &
python_pid=$!
wait "$python_pid"
