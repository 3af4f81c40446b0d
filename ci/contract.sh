#!/bin/sh
# Hold a built numberline binary to its OpenAPI document.
#
# Usage: ci/contract.sh PATH-TO-NUMBERLINE [schemathesis run options]
#
# Starts `numberline serve --demo` on a free loopback port with a temporary database, validates
# the served document with openapi-spec-validator, adds numbers and features to the demo data
# with ci/contract-seed.py, runs ci/schemathesis.sh at its full setting,
# prints the number of operations and generated test cases, and stops the server with SIGTERM.
# Exits non-zero when any step fails. Needs curl, python3, openapi-spec-validator and
# schemathesis (both from PyPI). The JUnit report goes to ./schemathesis-report.
set -u

if [ "$#" -lt 1 ]; then
    echo "usage: $0 PATH-TO-NUMBERLINE [schemathesis run options]" >&2
    exit 2
fi
binary=$1
shift
if [ ! -x "$binary" ]; then
    echo "error: $binary is not an executable file; build it first, for example with 'swift build'" >&2
    exit 2
fi
for tool in curl python3 openapi-spec-validator schemathesis; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "error: $tool is not installed; install it (pip install openapi-spec-validator schemathesis)" >&2
        exit 2
    fi
done

here=$(cd "$(dirname "$0")" && pwd)
workdir=$(mktemp -d "${TMPDIR:-/tmp}/numberline-contract.XXXXXX")
server_pid=""

# Stops the server, if it runs, and removes the temporary files on every exit path.
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null
        # Give in-flight requests the server's drain time, then stop waiting.
        tries=0
        while kill -0 "$server_pid" 2>/dev/null && [ "$tries" -lt 100 ]; do
            sleep 0.1
            tries=$((tries + 1))
        done
        if kill -0 "$server_pid" 2>/dev/null; then
            echo "warning: the server (pid $server_pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
            kill -KILL "$server_pid" 2>/dev/null
        fi
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Ask the kernel for a free port. Another process could take it before the server binds it;
# the server then fails to start and this script reports it.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url="http://127.0.0.1:$port"

# The address lock after repeated failed logins would reject most token calls with 429 once
# schemathesis has sent its wrong passwords. The limits are raised so that the token call is tested.
# CONTRACT_DATABASE (a postgres:// URL of an empty database) runs the server on PostgreSQL.
"$binary" serve --demo --host 127.0.0.1 --port "$port" --database "${CONTRACT_DATABASE:-$workdir/contract.db}" \
    --login-lock-after 1000000 --login-lock-address-after 1000000 >"$workdir/server.log" 2>&1 &
server_pid=$!

ready=no
tries=0
while [ "$tries" -lt 300 ]; do
    if curl -sf "$url/v1/health" >/dev/null 2>&1; then
        ready=yes
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
    tries=$((tries + 1))
done
if [ "$ready" != yes ]; then
    echo "error: GET $url/v1/health did not respond within 30 s; the server log follows" >&2
    cat "$workdir/server.log" >&2
    echo "contract: FAILED (the server did not start)"
    exit 1
fi

document_status=passed
if ! curl -sf "$url/v1/openapi.json" -o "$workdir/openapi.json"; then
    echo "error: GET $url/v1/openapi.json failed" >&2
    document_status=failed
elif ! openapi-spec-validator "$workdir/openapi.json"; then
    document_status=failed
fi

export NUMBERLINE_API_KEY=demo0000000000000000000000000000
export NUMBERLINE_USERNAME=demo-reseller
export NUMBERLINE_PASSWORD=demo-password-2026
export NUMBERLINE_ADMIN_USERNAME=demo-admin
export NUMBERLINE_INSTANCE=demo

# Numbers with features, a Teams user and a Zoom peering, so that schemathesis also meets the
# 200 responses of the feature, Teams and Zoom operations.
if ! python3 "$here/contract-seed.py" "$url"; then
    echo "contract: FAILED (the test data could not be added; the server log follows)"
    cat "$workdir/server.log" >&2
    exit 1
fi

"$here/schemathesis.sh" "$url" "$@" >"$workdir/schemathesis.txt" 2>&1
schemathesis_exit=$?
cat "$workdir/schemathesis.txt"

# The figures as schemathesis 4.32 prints them: "Operations: 10 selected / 10 total" and
# "3074 generated, ...".
operations=$(sed -n 's/^ *Operations: *\([0-9]*\) selected.*/\1/p' "$workdir/schemathesis.txt" | head -n 1)
cases=$(sed -n 's/^ *\([0-9]*\) generated.*/\1/p' "$workdir/schemathesis.txt" | tail -n 1)
echo "operations: ${operations:-unknown}"
echo "generated test cases: ${cases:-unknown}"

if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "error: the server exited during the run; its log ends with:" >&2
    tail -n 20 "$workdir/server.log" >&2
    echo "contract: FAILED (the server died; document $document_status, schemathesis exit $schemathesis_exit)"
    exit 1
fi

if [ "$document_status" = passed ] && [ "$schemathesis_exit" -eq 0 ]; then
    echo "contract: passed (document valid, ${operations:-?} operations, ${cases:-?} cases, schemathesis exit 0)"
    exit 0
fi
echo "contract: FAILED (document $document_status, ${operations:-?} operations, ${cases:-?} cases, schemathesis exit $schemathesis_exit)"
exit 1
