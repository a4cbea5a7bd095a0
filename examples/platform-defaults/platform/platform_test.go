// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package platform_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/check"
	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/zds"
	"github.com/zerodowntime/zds/examples/platform-defaults/platform"
)

func TestServiceTeamsCannotGoBelowThePlatformFloor(t *testing.T) {
	rec, err := preview.Run(func(ctx *pulumi.Context) error {
		_, err := platform.NewWebService(ctx, "tiny", &platform.WebServiceArgs{
			Team: "payments", Image: pulumi.String("ghcr.io/acme/tiny:1"), Replicas: 1,
			App: zds.App{MaxRequestSeconds: 5},
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	groups, err := check.Decode(rec.Manifests())
	if err != nil || len(groups) != 1 {
		t.Fatalf("decode: %v, %d groups", err, len(groups))
	}
	g := groups[0]
	if got := *g.Deployment.Spec.Replicas; got != 3 {
		t.Errorf("replicas = %d, want the platform floor 3", got)
	}
	ch, violations := check.Objects(g)
	if len(violations) > 0 {
		t.Errorf("violations: %v", violations)
	}
	if ch.PropagationSeconds != 30 || ch.PreStopSleepSeconds < 30 {
		t.Errorf("platform propagation budget not applied: L=%d P=%d", ch.PropagationSeconds, ch.PreStopSleepSeconds)
	}
	if g.Ingress.Annotations["alb.ingress.kubernetes.io/scheme"] != "internal" || g.Ingress.Annotations["alb.ingress.kubernetes.io/group.name"] != "payments-internal" {
		t.Errorf("platform load balancer defaults not applied: %v", g.Ingress.Annotations)
	}
	if g.Deployment.Labels["acme.io/team"] != "payments" {
		t.Errorf("team label missing: %v", g.Deployment.Labels)
	}
	// The wrapper nests: platform component → zds component → objects.
	comp := rec.Find(zds.TypeToken)
	wrap := rec.Find("acme:platform:WebService")
	if len(comp) != 1 || len(wrap) != 1 || comp[0].Parent != wrap[0].URN {
		t.Errorf("ZeroDowntimeService must be a child of the platform component")
	}
}

func TestServiceTeamsStillGetTheTimingChecks(t *testing.T) {
	rec, err := preview.Run(func(ctx *pulumi.Context) error {
		_, err := platform.NewWebService(ctx, "slow", &platform.WebServiceArgs{
			Team: "payments", Image: pulumi.String("ghcr.io/acme/slow:1"),
			HealthPath: "ready",
			App:        zds.App{MaxRequestSeconds: 20, KeepAliveTimeoutSeconds: pulumi.IntRef(30)},
		})
		return err
	})
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"platform.WebService slow", "spec.healthCheck.path", "spec.app.keepAliveTimeoutSeconds", "rule 8"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if n := len(rec.Resources()); n != 0 {
		t.Errorf("nothing may be registered for bad input, got %d resources", n)
	}
}
