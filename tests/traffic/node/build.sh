#!/usr/bin/env bash
# Builds what a real test node needs beyond Debian packages (see
# install-deps.sh): the kubelet at the version pinned by
# modules/kubelet/go.mod (with go.sum), from the Go module proxy, and a tiny
# static "pause" binary (pause/) used as the pod sandbox image. Binaries go to
# a cache directory outside the source tree, keyed by those files and the Go
# version; a build whose key matches is skipped.
#
#   build.sh          build if needed, print the binary directory
#   build.sh --dir    print the binary directory only (no build)
#
# ZDS_CACHE_DIR overrides the cache root (default: $XDG_CACHE_HOME/zds or
# ~/.cache/zds).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
k8s_version="v1.34.2"

key="$( { cat "$here"/modules/kubelet/go.mod "$here"/modules/kubelet/go.sum "$here"/modules/kubelet/tools.go "$here"/pause/*.go "$here/build.sh"; go env GOVERSION; } | sha256sum | cut -c1-16)"
root="${ZDS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zds}"
dir="$root/node/$key"
if [ "${1:-}" = "--dir" ]; then
  echo "$dir"
  exit 0
fi
if [ -f "$dir/.complete" ]; then
  echo "node binaries are cached in $dir" >&2
  echo "$dir"
  exit 0
fi

tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp/bin"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

echo "building kubelet $k8s_version (first time: a few minutes)" >&2
(cd "$here/modules/kubelet" && go build -trimpath -o "$tmp/bin/kubelet" \
  -ldflags "-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34" \
  k8s.io/kubernetes/cmd/kubelet)

echo "building pause" >&2
(cd "$here/pause" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/bin/pause" .)

rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
touch "$dir/.complete"
echo "built in $(( $(date +%s) - start )) s into $dir" >&2
echo "$dir"
