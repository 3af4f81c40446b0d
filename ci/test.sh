#!/usr/bin/env bash
# Run every test: the contract checks against a live server, then the Swift suites on SQLite
# and on PostgreSQL.
# Expects the packages of ci/install-deps.sh; builds what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

swift build --build-tests

# libphonenumber through our shim against Python phonenumbers at the same metadata version.
python3 tests/phonenumbers_differential.py

# Schemathesis runs on every operation of the document, and a run passes only with zero
# failures. ci/schemathesis.toml lists the few checks that are configured, and why.
ci/contract.sh .build/debug/numberline

# The libFuzzer target over request decoding and validation, for a bounded time; a crash,
# leak or timeout in the target fails this script.
fuzz/run.sh 60

# The Swift suites run last, so that the closing line is the summary at the end of the output.
# They run twice: on SQLite files, then on a throwaway PostgreSQL cluster, where every
# end-to-end server gets its own database and the multi-node suite runs too. Both passes run
# even when the first fails, so that one run reports both backends.
sqlite_status=0
swift test --skip-build || sqlite_status=$?

postgres_dir=$(mktemp -d "${TMPDIR:-/tmp}/numberline-postgres.XXXXXX")
trap 'ci/postgres.sh stop "$postgres_dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Another process could take the free port before PostgreSQL binds it. The start then fails
# with the server's log.
postgres_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
if ! postgres_url=$(ci/postgres.sh start "$postgres_dir" "$postgres_port"); then
    echo "swift test: FAILED (exit $sqlite_status on SQLite; PostgreSQL did not start, see its log above)"
    exit 1
fi
postgres_status=0
NUMBERLINE_TEST_POSTGRES_URL=$postgres_url swift test --skip-build || postgres_status=$?
ci/postgres.sh stop "$postgres_dir"
trap - EXIT

if [ "$sqlite_status" -eq 0 ] && [ "$postgres_status" -eq 0 ]; then
    echo "swift test: passed on SQLite and on PostgreSQL"
    exit 0
fi
echo "swift test: FAILED (exit $sqlite_status on SQLite, exit $postgres_status on PostgreSQL; see each pass's summary above)"
exit 1
