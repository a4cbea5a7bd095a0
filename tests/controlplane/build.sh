#!/usr/bin/env bash
# Builds a local Kubernetes control plane from the Go module proxy: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler and kwok, at the
# versions pinned by the wrapper modules in modules/*/go.mod (with go.sum).
# Binaries go to a cache directory outside the source tree, keyed by those
# files and the Go version; a build whose key matches is skipped.
#
#   build.sh          build if needed, print the binary directory
#   build.sh --dir    print the binary directory only (no build)
#
# ZDS_CACHE_DIR overrides the cache root (default: $XDG_CACHE_HOME/zds or
# ~/.cache/zds).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
k8s_version="v1.34.2"

key="$( { cat "$here"/modules/*/go.mod "$here"/modules/*/go.sum "$here/build.sh"; go env GOVERSION; } | sha256sum | cut -c1-16)"
root="${ZDS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zds}"
dir="$root/controlplane/$key"
if [ "${1:-}" = "--dir" ]; then
  echo "$dir"
  exit 0
fi
if [ -f "$dir/.complete" ]; then
  echo "control plane binaries are cached in $dir" >&2
  echo "$dir"
  exit 0
fi

tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp/bin"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

echo "building kube-apiserver, kube-controller-manager, kube-scheduler $k8s_version (first time: ~5 min)" >&2
(cd "$here/modules/kubernetes" && go build -trimpath -o "$tmp/bin/" \
  -ldflags "-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)

echo "building etcd" >&2
(cd "$here/modules/etcd" && go build -trimpath -o "$tmp/bin/etcd" go.etcd.io/etcd/server/v3)

echo "building kwok" >&2
(cd "$here/modules/kwok" && go build -trimpath -o "$tmp/bin/kwok" sigs.k8s.io/kwok/cmd/kwok)

# kwok's stages (pods become Ready, deleted pods go away), shipped in its module.
kwok_dir="$(cd "$here/modules/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
{
  for f in node/fast/node-initialize.yaml pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"
    cat "$kwok_dir/kustomize/stage/$f"
  done
} > "$tmp/kwok-stages.yaml"

rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
touch "$dir/.complete"
echo "built in $(( $(date +%s) - start )) s into $dir" >&2
echo "$dir"
