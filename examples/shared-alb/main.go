// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command shared-alb puts two services behind one ALB with an ALB group:
// each keeps its own target group, deregistration delay and health check,
// and the group order decides which rules the ALB evaluates first.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/zds"
)

func main() { preview.Main(program) }

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	certificateArn := cfg.Get("certificateArn")
	if certificateArn == "" {
		certificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
	}
	lb := zds.LoadBalancer{
		Scheme:         "internet-facing",
		Host:           "market.example.com",
		CertificateArn: certificateArn,
		GroupName:      "market",
	}

	// The API answers quickly; a longer request would need a longer
	// deregistration delay, which the component derives per service.
	apiLB := lb
	apiLB.Paths = []string{"/api"}
	apiLB.GroupOrder = pulumi.IntRef(10)
	api, err := zds.NewZeroDowntimeService(ctx, "api", &zds.ZeroDowntimeServiceArgs{ServiceSpec: zds.ServiceSpec{
		Namespace:       "market",
		CreateNamespace: true,
		Image:           "ghcr.io/acme/api:3.2.0",
		Replicas:        pulumi.IntRef(6),
		HealthCheck:     zds.HealthCheck{Path: "/ready"},
		App:             zds.App{MaxRequestSeconds: 5, ShutdownSeconds: pulumi.IntRef(3), KeepAliveTimeoutSeconds: pulumi.IntRef(75)},
		LoadBalancer:    apiLB,
	}})
	if err != nil {
		return err
	}

	// The storefront renders pages for up to 30 s; its rules come after the
	// API's (group order 20), so /api never falls through to it. It labels the
	// namespace the api service creates, so it depends on that Namespace
	// (not on the api component: the SDK expands a component dependency only
	// to the children registered so far).
	webLB := lb
	webLB.Paths = []string{"/"}
	webLB.GroupOrder = pulumi.IntRef(20)
	web, err := zds.NewZeroDowntimeService(ctx, "storefront", &zds.ZeroDowntimeServiceArgs{ServiceSpec: zds.ServiceSpec{
		Namespace:    "market",
		Image:        "ghcr.io/acme/storefront:8.1.0",
		Replicas:     pulumi.IntRef(4),
		App:          zds.App{MaxRequestSeconds: 30, ShutdownSeconds: pulumi.IntRef(30), StartupSeconds: pulumi.IntRef(60)},
		LoadBalancer: webLB,
	}}, pulumi.DependsOn([]pulumi.Resource{api.Namespace}))
	if err != nil {
		return err
	}
	ctx.Export("hostname", api.LoadBalancerHostname)
	ctx.Export("apiPreStopSleepSeconds", api.PreStopSleepSeconds)
	ctx.Export("storefrontPreStopSleepSeconds", web.PreStopSleepSeconds)
	return nil
}
