// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command basic deploys one web service with zero-downtime rollouts behind an
// ALB. `pulumi up` runs it for real; `go run ./examples/basic` prints what it
// would create, with the derived timings.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/zds"
)

func main() { preview.Main(program) }

// Config defaults; Pulumi.yaml declares the same (a test keeps them equal).
const (
	defaultImage    = "ghcr.io/acme/web:1.4.2"
	defaultHost     = "web.example.com"
	defaultReplicas = 4
)

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	image := cfg.Get("image")
	if image == "" {
		image = defaultImage
	}
	host := cfg.Get("host")
	if host == "" {
		host = defaultHost
	}
	replicas := cfg.GetInt("replicas")
	if replicas == 0 {
		replicas = defaultReplicas
	}

	web, err := zds.NewZeroDowntimeService(ctx, "web", &zds.ZeroDowntimeServiceArgs{
		ServiceSpec: zds.ServiceSpec{
			Namespace:       "shop",
			CreateNamespace: true,
			Image:           image,
			Port:            8080,
			Replicas:        &replicas,
			HealthCheck:     zds.HealthCheck{Path: "/healthz"},
			App: zds.App{
				MaxRequestSeconds: 15,
				ShutdownSeconds:   pulumi.IntRef(10),
				StartupSeconds:    pulumi.IntRef(40),
			},
			LoadBalancer: zds.LoadBalancer{
				Scheme: "internet-facing",
				Host:   host,
			},
		},
	})
	if err != nil {
		return err
	}
	ctx.Export("loadBalancerHostname", web.LoadBalancerHostname)
	ctx.Export("preStopSleepSeconds", web.PreStopSleepSeconds)
	ctx.Export("terminationGracePeriodSeconds", web.TerminationGracePeriodSeconds)
	ctx.Export("deregistrationDelaySeconds", web.DeregistrationDelaySeconds)
	return nil
}
