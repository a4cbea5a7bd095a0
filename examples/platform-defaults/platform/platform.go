// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package platform is how a platform team wraps ZeroDowntimeService in its
// own component: service teams get a small API, and the organisation's
// defaults (internal ALB shared per team, TLS, resources, labels, a longer
// propagation budget measured on its clusters) cannot be broken, because the
// fields that set them are not in the API at all. The timing rules still
// hold: service teams' facts flow into the same derivation and checks.
package platform

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/zds"
)

// WebServiceArgs is all a service team may set.
type WebServiceArgs struct {
	// Team owns the service: its namespace and its shared ALB group.
	Team string
	// Image of the service.
	Image pulumi.StringInput
	// Host name under the organisation's domain.
	Host string
	// Replicas; the platform's floor of 3 applies.
	Replicas int
	// App facts; the timings derive from them.
	App zds.App
	// HealthPath; defaults to /healthz.
	HealthPath string
}

// Organisation-wide settings.
const (
	certificateArn       = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
	propagationSeconds   = 30 // measured on our clusters: p99 17 s + margin
	minReplicas          = 3
	organisationLabelKey = "acme.io/team"
	// livenessPath is the platform's convention: every service answers
	// "am I alive" apart from "can I take traffic", so a liveness probe
	// never restarts a pod that is merely busy (kube-score: identical
	// probes).
	livenessPath = "/livez"
)

// WebService is the platform's component.
type WebService struct {
	pulumi.ResourceState
	Service *zds.ZeroDowntimeService
}

// NewWebService creates a team's web service with the platform's defaults.
func NewWebService(ctx *pulumi.Context, name string, args *WebServiceArgs, opts ...pulumi.ResourceOption) (*WebService, error) {
	if args.Team == "" {
		return nil, fmt.Errorf("platform.WebService %s: Team is required", name)
	}
	replicas := max(args.Replicas, minReplicas)
	svcArgs := &zds.ZeroDowntimeServiceArgs{
		ServiceSpec: zds.ServiceSpec{
			Namespace:   args.Team,
			Replicas:    &replicas,
			HealthCheck: zds.HealthCheck{Path: args.HealthPath},
			App:         args.App,
			Liveness:    zds.Liveness{Enabled: true, Path: livenessPath},
			LoadBalancer: zds.LoadBalancer{
				Scheme:             "internal",
				Host:               args.Host,
				GroupName:          args.Team + "-internal",
				PropagationSeconds: pulumi.IntRef(propagationSeconds),
			},
			Resources: zds.Resources{
				Requests: zds.ResourceList{CPU: "250m", Memory: "256Mi"},
				Limits:   zds.ResourceList{Memory: "512Mi"},
			},
			Labels: map[string]string{organisationLabelKey: args.Team},
		},
		Image:          args.Image,
		CertificateArn: pulumi.String(certificateArn),
	}
	// Check before registering anything, so bad input leaves nothing behind.
	if err := zds.Validate(name, svcArgs); err != nil {
		return nil, fmt.Errorf("platform.WebService %s: %w", name, err)
	}
	w := &WebService{}
	if err := ctx.RegisterComponentResource("acme:platform:WebService", name, w, opts...); err != nil {
		return nil, err
	}
	svc, err := zds.NewZeroDowntimeService(ctx, name, svcArgs, pulumi.Parent(w))
	if err != nil {
		return nil, fmt.Errorf("platform.WebService %s: %w", name, err)
	}
	w.Service = svc
	if err := ctx.RegisterResourceOutputs(w, pulumi.Map{"hostname": svc.LoadBalancerHostname}); err != nil {
		return nil, err
	}
	return w, nil
}
