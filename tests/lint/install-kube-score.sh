#!/usr/bin/env bash
# Copyright 2026 The zds authors
# SPDX-License-Identifier: Apache-2.0
#
# Installs kube-score from the Go module proxy into the cache (once) and
# prints its path: tests/lint/kube-score.sh and bench/check use it.
set -euo pipefail
version="v1.20.0"
cache="${ZDS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zds}/tools"
bin="$cache/kube-score-$version"
if [ ! -x "$bin" ]; then
  echo "installing kube-score $version from the Go module proxy" >&2
  mkdir -p "$cache"
  tmpbin="$(mktemp -d)"
  GOBIN="$tmpbin" GOFLAGS=-mod=mod go install "github.com/zegl/kube-score/cmd/kube-score@$version"
  mv "$tmpbin/kube-score" "$bin"
  rmdir "$tmpbin"
fi
echo "$bin"
