//go:build tools

// Package tools pins the kubelet build (see ../../build.sh).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kubelet"
)
