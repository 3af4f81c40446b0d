#!/usr/bin/env bash
# Run every test: the contract checks against a live server, then the Swift suites.
# Expects the packages of ci/install-deps.sh; builds what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

swift build --build-tests

# libphonenumber through our shim against Python phonenumbers at the same metadata version.
python3 tests/phonenumbers_differential.py

# Schemathesis runs on the sections it has been brought to zero failures on. The route/document
# drift test in the Swift suite covers every section; carriers, numbers, features, sites, E911,
# Teams and Zoom join this list as each passes schemathesis.
ci/contract.sh .build/debug/numberline --include-tag-regex '^(Authentication|Accounts|Service)$'

# Last, so its closing line is the summary a reader sees.
swift test --skip-build
