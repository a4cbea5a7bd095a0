// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command platform-defaults shows two service teams using the platform
// team's WebService component (package platform), which wraps
// ZeroDowntimeService with organisation-wide defaults.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/zds"
	"github.com/zerodowntime/zds/examples/platform-defaults/platform"
)

func main() { preview.Main(program) }

func program(ctx *pulumi.Context) error {
	checkout, err := platform.NewWebService(ctx, "checkout", &platform.WebServiceArgs{
		Team:  "payments",
		Image: pulumi.String("ghcr.io/acme/checkout:2.7.1"),
		Host:  "checkout.internal.acme.io",
		App:   zds.App{MaxRequestSeconds: 20, ShutdownSeconds: pulumi.IntRef(10), StartupSeconds: pulumi.IntRef(45)},
	})
	if err != nil {
		return err
	}
	search, err := platform.NewWebService(ctx, "search", &platform.WebServiceArgs{
		Team:       "discovery",
		Image:      pulumi.String("ghcr.io/acme/search:5.0.0"),
		Host:       "search.internal.acme.io",
		Replicas:   6,
		HealthPath: "/ready",
		App:        zds.App{MaxRequestSeconds: 2, ShutdownSeconds: pulumi.IntRef(2)},
	})
	if err != nil {
		return err
	}
	ctx.Export("checkoutHostname", checkout.Service.LoadBalancerHostname)
	ctx.Export("searchHostname", search.Service.LoadBalancerHostname)
	return nil
}
