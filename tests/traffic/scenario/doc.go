// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package scenario measures what users feel during rollouts: failed
// requests through a load balancer while pods are replaced, for zds's
// manifests and for the configurations users copy today.
//
// Everything is real but the cloud: a real control plane and a real kubelet
// node (package node) run the pods with containerd and runc; HAProxy
// (package haproxy) stands in for the ALB's data plane; package albemu
// plays the AWS Load Balancer Controller and the ALB's control plane, with
// the controller's own readiness-gate webhook; package load sends constant
// load through HAProxy and counts every request that failed. All of it runs
// in a network namespace the test run creates (node.Main), on loopback and
// the node's pod bridge only.
package scenario
