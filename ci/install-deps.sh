#!/usr/bin/env bash
# Install what building, running and testing Numberline needs on Debian 12: the C libraries
# behind the shim targets, the tools and database servers the tests drive, and the PyPI checkers.
# Swift itself is expected at /opt/swift (or on PATH). Safe to run again.
set -euo pipefail

# postgresql-15 brings the server for ci/postgres.sh, psql, and the amcheck extension that the
# crash-safety tests run. libpq-dev is the client library of the PostgreSQL backend.
packages=(
    libh2o-evloop-dev libssl-dev libsodium-dev libsqlite3-dev libphonenumber-dev libpq-dev
    sqlite3 postgresql-15 curl python3 python3-pip python3-venv openssl
)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ "${#missing[@]}" -gt 0 ]; then
    run_as_root=()
    [ "$(id -u)" -eq 0 ] || run_as_root=(sudo)
    echo "installing Debian packages: ${missing[*]}"
    "${run_as_root[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${run_as_root[@]}" apt-get install -y -q "${missing[@]}"
fi

# Python checkers for the contract tests, pinned so results do not drift between machines.
python3 -m pip install -q --disable-pip-version-check -r "$(dirname "$0")/requirements.txt" \
    -r "$(dirname "$0")/../tests/requirements-differential.txt"

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    echo "note: add /opt/swift/usr/bin to PATH to use swift" >&2
fi
