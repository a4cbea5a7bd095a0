// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

//go:build tools

// Package tools pins the kubelet build (see ../../build.sh).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kubelet"
)
