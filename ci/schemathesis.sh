#!/bin/sh
# Run schemathesis against a Numberline server on this machine, with every check and every operation.
#
# Usage: ci/schemathesis.sh URL
#   URL is the server's base URL on loopback, for example http://127.0.0.1:8080.
# The hooks need NUMBERLINE_API_KEY, NUMBERLINE_USERNAME and NUMBERLINE_PASSWORD, and optionally
# NUMBERLINE_INSTANCE. Extra arguments after URL go to `schemathesis run` unchanged.
set -eu

if [ "$#" -lt 1 ]; then
    echo "usage: $0 URL [schemathesis run options]" >&2
    exit 2
fi
url=${1%/}
shift

# The run must reach nothing but the server under test.
case "$url" in
    http://127.0.0.1:* | http://127.0.0.1 | http://localhost:* | http://localhost | http://\[::1\]:* | http://\[::1\]) ;;
    *)
        echo "error: URL must be a loopback http:// address such as http://127.0.0.1:8080, got: $url" >&2
        exit 2
        ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
export NUMBERLINE_URL="$url"
export SCHEMATHESIS_HOOKS="$here/schemathesis-hooks.py"

# Loopback traffic must not go through a proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1

# --generation-with-security-parameters false: the hooks send real credentials, and generated
# random ones would otherwise take their place. The `ignored_auth` check still sends its own
# requests without credentials and with invalid ones.
exec schemathesis --config-file "$here/schemathesis.toml" run "$url/v1/openapi.json" \
    --url "$url" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples 60 \
    --generation-with-security-parameters false \
    --wait-for-schema 30 \
    --request-timeout 30 \
    --report junit \
    --report-dir schemathesis-report \
    "$@"
