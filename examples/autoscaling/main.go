// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command autoscaling lets a HorizontalPodAutoscaler own the replica count
// (2–12 on CPU): the Deployment sets no replicas, the budget stays below
// the minimum, rollout deadlines are sized for the maximum, and scale-down
// removes at most one pod per grace period, each through the same preStop
// and drain as a rollout.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/zds"
)

func main() { preview.Main(program) }

func program(ctx *pulumi.Context) error {
	search, err := zds.NewZeroDowntimeService(ctx, "search", &zds.ZeroDowntimeServiceArgs{ServiceSpec: zds.ServiceSpec{
		Namespace:       "search",
		CreateNamespace: true,
		Image:           "ghcr.io/acme/search:5.2.0",
		HealthCheck:     zds.HealthCheck{Path: "/ready"},
		App:             zds.App{MaxRequestSeconds: 10, ShutdownSeconds: pulumi.IntRef(5), StartupSeconds: pulumi.IntRef(20)},
		Resources:       zds.Resources{Requests: zds.ResourceList{CPU: "500m", Memory: "512Mi"}},
		Autoscaling: zds.Autoscaling{
			Enabled:               true,
			MinReplicas:           pulumi.IntRef(2),
			MaxReplicas:           12,
			CPUUtilizationPercent: pulumi.IntRef(70),
		},
		LoadBalancer: zds.LoadBalancer{Scheme: "internet-facing", Host: "search.example.com"},
	}})
	if err != nil {
		return err
	}
	ctx.Export("hostname", search.LoadBalancerHostname)
	return nil
}
