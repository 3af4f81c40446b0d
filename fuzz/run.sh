#!/usr/bin/env bash
# Build the libFuzzer target over request decoding and validation, then run it for a bounded
# time on the checked-in corpus. Usage: fuzz/run.sh [SECONDS] (default 60).
# Needs clang's fuzzer runtime, which the Swift toolchain ships, and libphonenumber-dev.
# Exits non-zero when the target crashes, leaks, times out or fails to build. The input that
# failed is then copied to fuzz/crashes/ (not committed) and printed as hex.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
seconds=${1:-60}
# Swift's own crash handler reads memory that AddressSanitizer flags, which buries the real
# failure; libFuzzer and ASan report crashes themselves.
export SWIFT_BACKTRACE=enable=no
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
flags=(-sanitize=fuzzer,address -parse-as-library -O -g)

# The phone shim is C++: instrument it for coverage, and give swiftc a module map for its header.
# Every .cpp file of the shim is compiled, so a new one cannot be left out of the link.
shim_objects=()
for source in Sources/CPhoneNumber/*.cpp; do
    object="$build/$(basename "$source" .cpp).o"
    clang++ -std=c++17 -fsanitize=fuzzer-no-link,address -O1 -g -I Sources/CPhoneNumber/include -c "$source" -o "$object"
    shim_objects+=("$object")
done
mkdir -p "$build/CPhoneNumber"
cat > "$build/CPhoneNumber/module.modulemap" <<MAP
module CPhoneNumber {
    header "$PWD/Sources/CPhoneNumber/include/numberline_phone.h"
    export *
}
MAP

# Each layer is its own module, as in the package; only the pure-Swift ones and the phone
# shim are needed.
swiftc "${flags[@]}" -emit-module -emit-object -module-name NumberlineJSON -whole-module-optimization \
    -emit-module-path "$build/NumberlineJSON.swiftmodule" -o "$build/NumberlineJSON.o" Sources/NumberlineJSON/*.swift
swiftc "${flags[@]}" -emit-module -emit-object -module-name NumberlineCore -whole-module-optimization -I "$build" \
    -emit-module-path "$build/NumberlineCore.swiftmodule" -o "$build/NumberlineCore.o" $(find Sources/NumberlineCore -name '*.swift')
swiftc "${flags[@]}" -emit-module -emit-object -module-name NumberlineNumbers -whole-module-optimization -I "$build" \
    -I "$build/CPhoneNumber" -emit-module-path "$build/NumberlineNumbers.swiftmodule" -o "$build/NumberlineNumbers.o" \
    Sources/NumberlineNumbers/*.swift
swiftc "${flags[@]}" -module-name FuzzRequestDecoding -I "$build" -I "$build/CPhoneNumber" \
    fuzz/FuzzRequestDecoding.swift Sources/NumberlineAPI/Wire/AccountWire.swift Sources/NumberlineAPI/Wire/WireReader.swift \
    Sources/NumberlineHTTP/URLEncoding.swift "$build/NumberlineJSON.o" "$build/NumberlineCore.o" "$build/NumberlineNumbers.o" \
    "${shim_objects[@]}" -lphonenumber -lprotobuf -lstdc++ \
    -o "$build/fuzz-request-decoding" 2> "$build/link.log" || { cat "$build/link.log" >&2; exit 1; }

# New inputs go to a scratch folder so the run leaves the repository unchanged.
mkdir -p "$build/new" "$build/artifacts"
status=0
"$build/fuzz-request-decoding" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/" "$build/new" fuzz/corpus > "$build/fuzz.log" 2>&1 || status=$?
tail -20 "$build/fuzz.log"
if [ "$status" -ne 0 ]; then
    grep -E 'ERROR|SUMMARY|Fatal error|runtime failure|deadly signal' "$build/fuzz.log" | head -20 >&2 || true
    mkdir -p fuzz/crashes
    for artifact in "$build"/artifacts/*; do
        [ -e "$artifact" ] || continue
        cp "$artifact" fuzz/crashes/
        echo "fuzz: failing input saved as fuzz/crashes/$(basename "$artifact"):" >&2
        od -An -tx1 "$artifact" | head -20 >&2
    done
    echo "fuzz: the target failed with status $status" >&2
    exit "$status"
fi
