#!/usr/bin/env bash
# Run every test: the contract checks against a live server, then the Swift suites.
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

# Last, so that its closing line is the summary at the end of the output.
swift test --skip-build
