// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package render_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/zerodowntime/zds/components/audit"
	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/components/zds"
	"github.com/zerodowntime/zds/internal/spectest"
)

// m is a patch fragment's mapping.
type m = map[string]any

// app is a patch of the app container.
func app(fields m) m {
	fields["name"] = "app"
	return m{"spec": m{"template": m{"spec": m{"containers": []any{fields}}}}}
}

func annotations(kv ...string) m {
	a := m{}
	for i := 0; i+1 < len(kv); i += 2 {
		a[kv[i]] = kv[i+1]
	}
	return m{"metadata": m{"annotations": a}}
}

// randomPatch is one patch of the kinds users write: fields zds does not
// model (harmless), and every way #21 found to break a rule or change
// what zds explain describes.
func randomPatch(rng *rand.Rand, kind string) spec.Patch {
	n := rng.IntN(1000)
	var choices []m
	switch kind {
	case "Deployment":
		choices = []m{
			app(m{"imagePullPolicy": "Always"}),
			app(m{"resources": m{"limits": m{"memory": "512Mi"}}}),
			app(m{"readinessProbe": m{"periodSeconds": 1 + rng.IntN(20)}}),
			app(m{"lifecycle": m{"preStop": m{"sleep": m{"seconds": rng.IntN(100)}}}}),
			{"spec": m{"template": m{"spec": m{"containers": []any{m{"name": "ap", "imagePullPolicy": "Always"}}}}}},
			{"spec": m{"template": m{"spec": m{"priorityClassName": "web"}}}},
			{"spec": m{"template": m{"spec": m{"hostNetwork": true}}}},
			app(m{"securityContext": m{"runAsUser": 0}}),
			{"spec": m{"template": m{"metadata": m{"labels": m{"team": "shop"}}}}},
			{"spec": m{"template": m{"spec": m{"terminationGracePeriodSeconds": 1 + rng.IntN(300)}}}},
			{"spec": m{"replicas": 1 + rng.IntN(8)}},
			{"spec": m{"minReadySeconds": rng.IntN(60)}},
			{"spec": m{"revisionHistoryLimit": 3}},
			{"spec": m{"strategy": m{"rollingUpdate": m{"maxSurge": 1 + rng.IntN(4)}}}},
			annotations("zds.dev/max-request-seconds", fmt.Sprint(1+rng.IntN(60))),
			annotations("team", "shop"),
		}
	case "Service":
		choices = []m{
			annotations("alb.ingress.kubernetes.io/target-group-attributes", fmt.Sprintf("deregistration_delay.timeout_seconds=%d", n%120)),
			annotations("alb.ingress.kubernetes.io/healthcheck-path", "/other"),
			annotations("alb.ingress.kubernetes.io/target-type", "instance"),
			annotations("service.beta.kubernetes.io/aws-load-balancer-target-group-attributes", fmt.Sprintf("deregistration_delay.timeout_seconds=%d", n%120)),
			{"spec": m{"publishNotReadyAddresses": true}},
			{"spec": m{"type": "LoadBalancer"}},
			{"metadata": m{"labels": m{"team": "shop"}}},
		}
	case "Ingress":
		choices = []m{
			{"spec": m{"ingressClassName": "nginx"}},
			annotations("alb.ingress.kubernetes.io/load-balancer-attributes", fmt.Sprintf("idle_timeout.timeout_seconds=%d", 1+n%4000)),
			annotations("alb.ingress.kubernetes.io/healthcheck-protocol", "HTTPS"),
			annotations("alb.ingress.kubernetes.io/healthcheck-interval-seconds", fmt.Sprint(5+rng.IntN(60))),
			annotations("alb.ingress.kubernetes.io/tags", "team=shop"),
		}
	case "PodDisruptionBudget":
		choices = []m{
			{"spec": m{"maxUnavailable": rng.IntN(3)}},
			{"metadata": m{"labels": m{"team": "shop"}}},
		}
	}
	return spec.Patch{Kind: kind, Patch: choices[rng.IntN(len(choices))]}
}

// Whatever render accepts, zds check passes and zds explain describes
// (#21): random valid services with random patches, loaded from a spec
// file as users write them. The Pulumi component accepts exactly what
// render accepts; render's output, read back by zds check as a file, has
// no error and the chain, replicas, surge and minReadySeconds explain
// shows. Some patches must be accepted and some refused, or the test
// proves nothing.
func TestPatchedOutputPassesCheckAndMatchesExplain(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 2))
	var accepted, refused int
	for i := range 2000 {
		name, s := spectest.Named(rng, i, spectest.Random(rng, service.KindALB, service.KindNLB))
		s.CreateNamespace = true
		if _, err := service.Resolve(name, s, spec.Inputs{}); err != nil {
			continue // an invalid spec without patches: not this test's
		}
		kinds := []string{"Deployment", "Service", "PodDisruptionBudget"}
		if s.LoadBalancer.Kind == service.KindALB {
			kinds = append(kinds, "Ingress")
		}
		s.Patches = nil
		for range 1 + rng.IntN(3) {
			s.Patches = append(s.Patches, randomPatch(rng, kinds[rng.IntN(len(kinds))]))
		}
		doc := spec.Document{APIVersion: spec.APIVersion, Kind: spec.Kind, Metadata: spec.Metadata{Name: name, Namespace: s.Namespace}, Spec: s}
		file, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		docs, problems := specfile.Parse("random.zds.json", file, true)
		var renderErr error
		var out []map[string]any
		if len(problems) > 0 {
			renderErr = fmt.Errorf("%v", problems)
		} else {
			out, renderErr = render.Manifests(docs)
		}
		componentErr := zds.Validate(name, &zds.ZeroDowntimeServiceArgs{ServiceSpec: s})
		if (renderErr == nil) != (componentErr == nil) {
			t.Fatalf("render and the component disagree on\n%s\nrender: %v\ncomponent: %v", file, renderErr, componentErr)
		}
		if renderErr != nil {
			refused++
			continue
		}
		accepted++
		y, err := render.YAML(out)
		if err != nil {
			t.Fatal(err)
		}
		objs, problems := audit.Read("out.yaml", y)
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		rep := audit.Check(objs, audit.Options{})
		if n := rep.Count(audit.Error); n > 0 || len(rep.Services) != 1 {
			t.Fatalf("render accepted patches zds check refuses (%d errors, %d services):\n%s\n%s", n, len(rep.Services), file, describe(rep))
		}
		r := docs[0].Resolved
		in := r.TimingInputs()
		want := audit.Chain{R: in.MaxRequestSeconds, S: in.ShutdownSeconds, L: in.PropagationSeconds,
			D: r.Timing.DeregistrationDelaySeconds, P: r.Timing.PreStopSleepSeconds, G: r.Timing.TerminationGracePeriodSeconds}
		if got := rep.Services[0].Chain; got != want {
			t.Fatalf("zds check reads the chain %+v, zds explain says %+v, for\n%s", got, want, file)
		}
		d := deployment(t, out)
		if got, want := fmt.Sprint(d["minReadySeconds"]), fmt.Sprint(r.Timing.MinReadySeconds); got != want && !(want == "0" && got == "<nil>") {
			t.Fatalf("minReadySeconds %s, explain says %s, for\n%s", got, want, file)
		}
		if r.Spec.Replicas != nil && fmt.Sprint(d["replicas"]) != fmt.Sprint(*r.Spec.Replicas) {
			t.Fatalf("replicas %v, explain says %d, for\n%s", d["replicas"], *r.Spec.Replicas, file)
		}
		surge := d["strategy"].(m)["rollingUpdate"].(m)["maxSurge"]
		if fmt.Sprint(surge) != fmt.Sprint(*r.Spec.Rollout.MaxSurge) {
			t.Fatalf("maxSurge %v, explain says %d, for\n%s", surge, *r.Spec.Rollout.MaxSurge, file)
		}
	}
	t.Logf("%d patched services accepted, %d refused", accepted, refused)
	if accepted < 150 || refused < 150 {
		t.Errorf("%d accepted and %d refused: the generator no longer exercises both", accepted, refused)
	}
}

func deployment(t *testing.T, objs []map[string]any) m {
	for _, o := range objs {
		if o["kind"] == "Deployment" {
			return o["spec"].(m)
		}
	}
	t.Fatal("no Deployment")
	return nil
}

func describe(r *audit.Report) string {
	s := ""
	for _, f := range r.Findings() {
		s += fmt.Sprintf("%s %s %s %s: %s\n", f.Severity, f.Rule, f.Object, f.Field, f.Message)
	}
	return s
}
