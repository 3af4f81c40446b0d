#!/usr/bin/env bash
# Build the libFuzzer target over request decoding and validation, then run it for a bounded
# time on the checked-in corpus. Usage: fuzz/run.sh [SECONDS] (default 60).
# Needs clang's fuzzer runtime, which the Swift toolchain ships.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
seconds=${1:-60}
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
flags=(-sanitize=fuzzer,address -parse-as-library -O -g)

# Each layer is its own module, as in the package; only the pure-Swift ones are needed.
swiftc "${flags[@]}" -emit-module -emit-object -module-name NumberlineJSON -whole-module-optimization \
    -emit-module-path "$build/NumberlineJSON.swiftmodule" -o "$build/NumberlineJSON.o" Sources/NumberlineJSON/*.swift
swiftc "${flags[@]}" -emit-module -emit-object -module-name NumberlineCore -whole-module-optimization -I "$build" \
    -emit-module-path "$build/NumberlineCore.swiftmodule" -o "$build/NumberlineCore.o" $(find Sources/NumberlineCore -name '*.swift')
swiftc "${flags[@]}" -module-name FuzzRequestDecoding -I "$build" \
    fuzz/FuzzRequestDecoding.swift Sources/NumberlineAPI/Wire/AccountWire.swift Sources/NumberlineAPI/Wire/WireReader.swift \
    Sources/NumberlineHTTP/URLEncoding.swift "$build/NumberlineJSON.o" "$build/NumberlineCore.o" \
    -o "$build/fuzz-request-decoding" 2> "$build/link.log" || { cat "$build/link.log" >&2; exit 1; }

# New inputs go to a scratch folder so the run leaves the repository unchanged.
mkdir -p "$build/new"
"$build/fuzz-request-decoding" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$build/new" fuzz/corpus 2>&1 | tail -20
