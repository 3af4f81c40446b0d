#!/usr/bin/env bash
# Run every test: the contract checks against a live server, then the Swift suites.
# Expects the packages of ci/install-deps.sh; builds what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

swift build --build-tests

# libphonenumber through our shim against Python phonenumbers at the same metadata version.
python3 tests/phonenumbers_differential.py

if [ -x ci/contract.sh ]; then
    ci/contract.sh .build/debug/numberline
fi

# Last, so its closing line is the summary a reader sees.
swift test --skip-build
