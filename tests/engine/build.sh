#!/usr/bin/env bash
# Builds the real Pulumi engine from the Go module proxy: the Pulumi CLI,
# the Kubernetes provider plugin (pulumi-resource-kubernetes) and the YAML
# language host (pulumi-language-yaml), at the versions pinned by the
# wrapper modules in modules/*/go.mod (with go.sum). Binaries go to a cache
# directory outside the source tree, keyed by those files, this script, the
# Kubernetes SDK version of the main module (the provider plugin reports it)
# and the Go version; a build whose key matches is skipped.
#
#   build.sh          build if needed, print the binary directory
#   build.sh --dir    print the binary directory only (no build)
#
# ZDS_CACHE_DIR overrides the cache root (default: $XDG_CACHE_HOME/zds or
# ~/.cache/zds). The component's own plugin, pulumi-resource-zds, is not
# built here: the tests build it from the working tree.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pulumi_version="v3.276.0"
# The provider plugin says it is the version the main module's Kubernetes
# SDK asks for, so the engine uses it without a version warning.
k8s_version="$(awk '$1 == "github.com/pulumi/pulumi-kubernetes/sdk/v4" {print $2}' "$here/../../go.mod")"
if [ -z "$k8s_version" ]; then
  echo "build.sh: no github.com/pulumi/pulumi-kubernetes/sdk/v4 in go.mod" >&2
  exit 1
fi

key="$( { cat "$here"/modules/*/go.mod "$here"/modules/*/go.sum "$here"/modules/*/*.go "$here/build.sh"; echo "$k8s_version"; go env GOVERSION; } | sha256sum | cut -c1-16)"
root="${ZDS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zds}"
dir="$root/engine/$key"
if [ "${1:-}" = "--dir" ]; then
  echo "$dir"
  exit 0
fi
if [ -f "$dir/.complete" ]; then
  echo "Pulumi engine binaries are cached in $dir" >&2
  echo "$dir"
  exit 0
fi

tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp/bin"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

echo "building the Pulumi CLI $pulumi_version (first time: ~4 min)" >&2
(cd "$here/modules/pulumi" && go build -trimpath -o "$tmp/bin/pulumi" \
  -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pulumi_version" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)

echo "building pulumi-resource-kubernetes ${k8s_version#v} (first time: ~8 min)" >&2
# Upstream's main embeds files its module zip lacks: build a copy of the
# wrapper with the module's schema and mapping beside it.
src="$tmp/src/kubernetes"
mkdir -p "$src"
cp "$here"/modules/kubernetes/* "$src/"
# go list -m prints no Dir for a module not yet in the module cache (a
# fresh machine): download it first.
(cd "$src" && go mod download github.com/pulumi/pulumi-kubernetes/provider/v4)
provider_dir="$(cd "$src" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
if [ -z "$provider_dir" ] || [ ! -d "$provider_dir" ]; then
  echo "build.sh: github.com/pulumi/pulumi-kubernetes/provider/v4 is not in the module cache after go mod download" >&2
  exit 1
fi
cp "$provider_dir/cmd/pulumi-resource-kubernetes/schema.json" "$provider_dir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$src/"
chmod u+w "$src"/*.json
(cd "$src" && go build -trimpath -o "$tmp/bin/pulumi-resource-kubernetes" \
  -ldflags "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${k8s_version#v}" .)
rm -rf "$tmp/src"

echo "building pulumi-language-yaml" >&2
(cd "$here/modules/yaml" && go build -trimpath -o "$tmp/bin/pulumi-language-yaml" \
  github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml)

"$tmp/bin/pulumi" version >&2
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
touch "$dir/.complete"
echo "built in $(( $(date +%s) - start )) s into $dir" >&2
echo "$dir"
