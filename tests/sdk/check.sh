#!/usr/bin/env bash
# Copyright 2026 The zds authors
# SPDX-License-Identifier: Apache-2.0
#
# The generated SDKs and the examples in other languages compile:
#   - TypeScript: sdk/nodejs and examples/typescript, type-checked by tsc
#     (strict) against @pulumi/pulumi from npm, versions pinned in
#     package-lock.json;
#   - Python: sdk/python and examples/python byte-compile (no PyPI here,
#     so the pulumi package itself is not installed), and every class and
#     keyword the example uses is the SDK's (check_python.py);
#   - Go: the provider plugin builds, and so does sdk/go.
# Needs Node.js with npm, Python 3 and Go.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

for tool in node npm python3 go; do
	command -v "$tool" >/dev/null || { echo "sdk-check: $tool is missing" >&2; exit 1; }
done

npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
echo "sdk-check: tsc $(node_modules/.bin/tsc --version | cut -d' ' -f2) on sdk/nodejs and examples/typescript"
node_modules/.bin/tsc -p tsconfig.json

echo "sdk-check: python3 byte-compiles sdk/python and examples/python"
cache="$(mktemp -d)"
trap 'rm -rf "$cache"' EXIT
PYTHONPYCACHEPREFIX="$cache" python3 -m compileall -q -f "$root/sdk/python" "$root/examples/python"
PYTHONPYCACHEPREFIX="$cache" python3 "$here/check_python.py"

echo "sdk-check: go build of the provider plugin and sdk/go"
cd "$root"
go build -o "$cache/pulumi-resource-zds" ./cmd/pulumi-resource-zds
go build ./sdk/go/...
echo "sdk-check: ok"
