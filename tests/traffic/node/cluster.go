// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package node

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/zerodowntime/zds/tests/controlplane"
)

// Cluster is a control plane with one real node (and kwok's fake nodes).
type Cluster struct {
	ControlPlane *controlplane.ControlPlane
	Node         *Node
	Client       kubernetes.Interface
}

// Need skips the test, or fails it in CI (CI set), when a node cannot
// start here, naming the commands that would make it possible.
func Need(t testing.TB) {
	t.Helper()
	missing := Missing()
	if len(missing) == 0 {
		return
	}
	msg := "a real node cannot start here:\n  " + strings.Join(missing, "\n  ")
	if ci := os.Getenv("CI"); ci != "" && ci != "false" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// StartCluster starts a control plane (opts.ControlPlane is ignored) with
// one fake node and a real node (see Start), both stopped by t.Cleanup,
// which fails the test if the node leaves anything behind. It calls Need
// first.
func StartCluster(t testing.TB, opts Options) *Cluster {
	t.Helper()
	Need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	cp, err := controlplane.Start(ctx, controlplane.Options{Nodes: 1})
	if err != nil {
		t.Fatalf("starting the control plane: %v", err)
	}
	t.Cleanup(cp.Stop)
	t.Logf("control plane up in %s", time.Since(start).Round(100*time.Millisecond))
	start = time.Now()
	opts.ControlPlane = cp
	n, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("starting the node: %v", err)
	}
	t.Cleanup(func() {
		if n.stopped {
			return // the test stopped it
		}
		start := time.Now()
		if err := n.Stop(); err != nil {
			t.Errorf("stopping the node: %v", err)
		}
		t.Logf("node stopped in %s", time.Since(start).Round(100*time.Millisecond))
	})
	t.Logf("node %s Ready in %s", n.Name, time.Since(start).Round(100*time.Millisecond))
	return &Cluster{ControlPlane: cp, Node: n, Client: n.cs}
}
