// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command readme is the program the README's "Usage in Go" section quotes
// (between the README markers below). Its test compiles and runs it and
// fails when the README's copy and this file differ, so the snippet always
// builds. `go run ./examples/readme` prints what it creates.
package main

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/zds"
)

// main runs program under the Pulumi CLI (pulumi up), or in-process under
// a mock engine when run directly, printing what it would create.
func main() { preview.Main(program) }

func program(ctx *pulumi.Context) error {
	// README:begin
	cfg := config.New(ctx, "")
	// Inputs from elsewhere in your program: an image you build and push, a
	// certificate, and the provider of your EKS cluster.
	image := pulumi.Sprintf("%s:%s", cfg.Require("repository"), cfg.Require("version"))
	cert, err := acm.NewCertificate(ctx, "web", &acm.CertificateArgs{
		DomainName:       pulumi.String("web.example.com"),
		ValidationMethod: pulumi.String("DNS"),
	})
	if err != nil {
		return err
	}
	eks, err := kubernetes.NewProvider(ctx, "eks", &kubernetes.ProviderArgs{
		Kubeconfig: cfg.RequireSecret("kubeconfig"),
	})
	if err != nil {
		return err
	}

	web, err := zds.NewZeroDowntimeService(ctx, "web", &zds.ZeroDowntimeServiceArgs{
		ServiceSpec: zds.ServiceSpec{
			Namespace:   "shop", // labelled for readiness gates (or CreateNamespace: true)
			Port:        8080,
			Replicas:    pulumi.IntRef(4),
			HealthCheck: zds.HealthCheck{Path: "/healthz"}, // readiness probe = ALB health check
			App: zds.App{
				MaxRequestSeconds:       15,                // R: your server's request timeout
				ShutdownSeconds:         pulumi.IntRef(10), // S: drain time after SIGTERM
				StartupSeconds:          pulumi.IntRef(40), // covered by the startup probe
				KeepAliveTimeoutSeconds: pulumi.IntRef(75), // checked against the ALB idle timeout
			},
			LoadBalancer: zds.LoadBalancer{
				Scheme:    "internet-facing",
				Host:      "web.example.com",
				GroupName: "shop", // share one ALB between services
			},
			// Timing: zds.Timing{PreStopSleepSeconds: pulumi.IntRef(40)}, // pins are checked, never changed
		},
		Image:          image,    // a Pulumi input
		CertificateArn: cert.Arn, // adds HTTPS:443 and the HTTP→HTTPS redirect
	}, pulumi.Provider(eks)) // options reach every child
	if err != nil {
		return err // *spec.InvalidError: every problem, with its field path and fix
	}
	ctx.Export("url", web.LoadBalancerHostname)
	ctx.Export("preStopSleepSeconds", web.PreStopSleepSeconds)
	// README:end
	return nil
}
