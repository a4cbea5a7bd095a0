// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package zds_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"strconv"
	"time"

	"github.com/zerodowntime/zds/components/check"
	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/zds"
)

const (
	tNamespacePatch = "kubernetes:core/v1:NamespacePatch"
	tNamespace      = "kubernetes:core/v1:Namespace"
	tService        = "kubernetes:core/v1:Service"
	tIngress        = "kubernetes:networking.k8s.io/v1:Ingress"
	tPDB            = "kubernetes:policy/v1:PodDisruptionBudget"
	tDeployment     = "kubernetes:apps/v1:Deployment"
)

func validArgs() *zds.ZeroDowntimeServiceArgs {
	return &zds.ZeroDowntimeServiceArgs{ServiceSpec: zds.ServiceSpec{
		Namespace: "shop",
		Image:     "ghcr.io/acme/web:1.4.2",
		App:       zds.App{MaxRequestSeconds: 15, ShutdownSeconds: pulumi.IntRef(10)},
		LoadBalancer: zds.LoadBalancer{
			Host: "web.example.com",
		},
	}}
}

func run(t *testing.T, program pulumi.RunFunc, opts ...preview.Option) *preview.Recording {
	t.Helper()
	rec, err := preview.Run(program, opts...)
	if err != nil {
		t.Fatalf("program failed: %v", err)
	}
	return rec
}

func one(t *testing.T, rec *preview.Recording, typ string) *preview.Resource {
	t.Helper()
	found := rec.Find(typ)
	if len(found) != 1 {
		t.Fatalf("want exactly one %s, got %d", typ, len(found))
	}
	return found[0]
}

func TestRegistersEveryChildUnderTheComponent(t *testing.T) {
	rec := run(t, func(ctx *pulumi.Context) error {
		_, err := zds.NewZeroDowntimeService(ctx, "web", validArgs())
		return err
	})
	comp := one(t, rec, zds.TypeToken)
	if comp.Custom {
		t.Errorf("the component must be a component resource")
	}
	for _, typ := range []string{tNamespacePatch, tService, tIngress, tPDB, tDeployment} {
		r := one(t, rec, typ)
		if r.Parent != comp.URN {
			t.Errorf("%s: parent %q, want the component %q", typ, r.Parent, comp.URN)
		}
		if r.Name != "web" {
			t.Errorf("%s: logical name %q, want it built from the component's name", typ, r.Name)
		}
		if !r.Custom {
			t.Errorf("%s must be a custom resource", typ)
		}
	}
	if n := len(rec.Find(tNamespace)); n != 0 {
		t.Errorf("an existing namespace is patched, not created: got %d Namespace resources", n)
	}
	if n := len(rec.Resources()); n != 8 {
		t.Errorf("got %d registrations, want the component and 7 children", n)
	}
}

// The readiness gate works only if the namespace label exists before the
// Service, Ingress and pods, and the pods are created after the controller
// bound the Service to a target group (after the Ingress).
func TestDependencyOrderMakesTheReadinessGateWork(t *testing.T) {
	for _, create := range []bool{false, true} {
		t.Run(fmt.Sprintf("createNamespace=%v", create), func(t *testing.T) {
			args := validArgs()
			args.CreateNamespace = create
			rec := run(t, func(ctx *pulumi.Context) error {
				_, err := zds.NewZeroDowntimeService(ctx, "web", args)
				return err
			})
			nsType := tNamespacePatch
			if create {
				nsType = tNamespace
			}
			ns, svc, ing, pdb, dep := one(t, rec, nsType), one(t, rec, tService), one(t, rec, tIngress), one(t, rec, tPDB), one(t, rec, tDeployment)
			want := map[*preview.Resource][]*preview.Resource{
				svc: {ns},
				ing: {ns, svc},
				pdb: {ns},
				dep: {ns, svc, ing, pdb},
			}
			for r, deps := range want {
				for _, d := range deps {
					if !slices.Contains(r.DependsOn, d.URN) {
						t.Errorf("%s must depend on %s; depends on %v", r.Type, d.Type, r.DependsOn)
					}
				}
			}
			order := rec.Resources()
			pos := func(r *preview.Resource) int { return slices.Index(order, r) }
			if !(pos(ns) < pos(svc) && pos(svc) < pos(ing) && pos(ing) < pos(dep) && pos(pdb) < pos(dep)) {
				t.Errorf("creation order wrong: ns %d, svc %d, ingress %d, pdb %d, deployment %d", pos(ns), pos(svc), pos(ing), pos(pdb), pos(dep))
			}
		})
	}
}

func TestEmittedObjectsSatisfyEveryRule(t *testing.T) {
	rec := run(t, func(ctx *pulumi.Context) error {
		_, err := zds.NewZeroDowntimeService(ctx, "web", validArgs())
		return err
	})
	groups, err := check.Decode(rec.Manifests())
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 {
		t.Fatalf("want one service, got %d", len(groups))
	}
	ch, violations := check.Objects(groups[0])
	for _, v := range violations {
		t.Error(v)
	}
	// D = L + R + 5, P = max(L, D − S + 1), G = P + S + 5.
	if ch.DeregistrationDelaySeconds != 45 || ch.PreStopSleepSeconds != 36 || ch.TerminationGracePeriodSeconds != 51 {
		t.Errorf("D, P, G = %d, %d, %d; want 45, 36, 51 for R=15, S=10, L=25",
			ch.DeregistrationDelaySeconds, ch.PreStopSleepSeconds, ch.TerminationGracePeriodSeconds)
	}
}

func get(m map[string]any, path ...any) any {
	var cur any = m
	for _, p := range path {
		switch k := p.(type) {
		case string:
			mm, _ := cur.(map[string]any)
			cur = mm[k]
		case int:
			l, _ := cur.([]any)
			if k >= len(l) {
				return nil
			}
			cur = l[k]
		}
	}
	return cur
}

// Every field the issue lists, read from what the provider would receive.
func TestInputsCarryEveryField(t *testing.T) {
	args := validArgs()
	args.LoadBalancer.Scheme = "internet-facing"
	args.LoadBalancer.CertificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
	args.LoadBalancer.GroupName = "shop"
	args.LoadBalancer.GroupOrder = pulumi.IntRef(10)
	args.LoadBalancer.Paths = []string{"/", "/api"}
	args.HealthCheck.SuccessCodes = "200-299"
	args.Liveness = zds.Liveness{Enabled: true, Path: "/livez"}
	args.Env = []zds.EnvVar{{Name: "LOG_LEVEL", Value: "info"}}
	args.Resources.Limits.CPU = "1"
	args.Pod.PreStopHook = "exec"
	args.Version = "1.4.2"
	var c *zds.ZeroDowntimeService
	rec := run(t, func(ctx *pulumi.Context) error {
		var err error
		c, err = zds.NewZeroDowntimeService(ctx, "web", args)
		return err
	})
	tm := c.Timing

	ing := one(t, rec, tIngress).Inputs
	ann := get(ing, "metadata", "annotations").(map[string]any)
	wantAnn := map[string]string{
		service.AnnTargetType:            "ip",
		service.AnnScheme:                "internet-facing",
		service.AnnTargetGroupAttributes: fmt.Sprintf("deregistration_delay.timeout_seconds=%d", tm.DeregistrationDelaySeconds),
		service.AnnHealthCheckPath:       "/healthz",
		service.AnnHealthCheckPort:       "traffic-port",
		service.AnnHealthCheckInterval:   "10",
		service.AnnHealthCheckTimeout:    "5",
		service.AnnHealthyThreshold:      "2",
		service.AnnUnhealthyThreshold:    "2",
		service.AnnSuccessCodes:          "200-299",
		service.AnnCertificateArn:        "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
		service.AnnListenPorts:           `[{"HTTP":80},{"HTTPS":443}]`,
		service.AnnSSLRedirect:           "443",
		service.AnnGroupName:             "shop",
		service.AnnGroupOrder:            "10",
	}
	for k, v := range wantAnn {
		if ann[k] != v {
			t.Errorf("ingress annotation %s = %v, want %q", k, ann[k], v)
		}
	}
	if got := get(ing, "spec", "ingressClassName"); got != "alb" {
		t.Errorf("ingressClassName = %v", got)
	}
	if got := get(ing, "spec", "rules", 0, "host"); got != "web.example.com" {
		t.Errorf("host = %v", got)
	}
	if got := get(ing, "spec", "rules", 0, "http", "paths", 1, "path"); got != "/api" {
		t.Errorf("second path = %v", got)
	}

	dep := one(t, rec, tDeployment).Inputs
	spec := get(dep, "spec").(map[string]any)
	if get(spec, "strategy", "rollingUpdate", "maxUnavailable") != 0.0 || get(spec, "strategy", "rollingUpdate", "maxSurge") != 1.0 {
		t.Errorf("rolling update = %v, want maxUnavailable 0, maxSurge 1", get(spec, "strategy"))
	}
	if mr, _ := spec["minReadySeconds"].(float64); mr != float64(tm.MinReadySeconds) || get(spec, "progressDeadlineSeconds") != float64(tm.ProgressDeadlineSeconds) {
		t.Errorf("minReady/progressDeadline = %v/%v", get(spec, "minReadySeconds"), get(spec, "progressDeadlineSeconds"))
	}
	pod := get(spec, "template", "spec").(map[string]any)
	if get(pod, "terminationGracePeriodSeconds") != float64(tm.TerminationGracePeriodSeconds) {
		t.Errorf("grace = %v", get(pod, "terminationGracePeriodSeconds"))
	}
	ctr := get(pod, "containers", 0).(map[string]any)
	if got := get(ctr, "lifecycle", "preStop", "exec", "command"); fmt.Sprint(got) != fmt.Sprintf("[sleep %d]", tm.PreStopSleepSeconds) {
		t.Errorf("exec preStop = %v", got)
	}
	if get(ctr, "readinessProbe", "httpGet", "path") != "/healthz" || get(ctr, "startupProbe", "httpGet", "path") != "/healthz" {
		t.Errorf("readiness/startup probes not on the health path: %v", ctr)
	}
	if get(ctr, "livenessProbe", "httpGet", "path") != "/livez" {
		t.Errorf("liveness path = %v", get(ctr, "livenessProbe"))
	}
	if get(ctr, "env", 0, "name") != "LOG_LEVEL" || get(ctr, "resources", "limits", "cpu") != "1" {
		t.Errorf("env/resources not passed: %v %v", get(ctr, "env"), get(ctr, "resources"))
	}
	if get(ctr, "securityContext", "allowPrivilegeEscalation") != false || get(pod, "securityContext", "seccompProfile", "type") != "RuntimeDefault" {
		t.Errorf("security context not restricted: %v / %v", get(ctr, "securityContext"), get(pod, "securityContext"))
	}

	if get(spec, "template", "metadata", "labels", "app.kubernetes.io/version") != "1.4.2" {
		t.Errorf("pods lack the version label: %v", get(spec, "template", "metadata", "labels"))
	}
	for _, typ := range []string{tService, tIngress, tPDB, tDeployment} {
		if v := get(one(t, rec, typ).Inputs, "metadata", "labels", "app.kubernetes.io/version"); v != nil {
			t.Errorf("%s carries the version label %v: every release would rewrite it", typ, v)
		}
	}
	pdb := one(t, rec, tPDB).Inputs
	if get(pdb, "apiVersion") != "policy/v1" || get(pdb, "spec", "maxUnavailable") != 1.0 || get(pdb, "spec", "unhealthyPodEvictionPolicy") != "AlwaysAllow" {
		t.Errorf("pdb = %v", pdb)
	}
	if fmt.Sprint(get(pdb, "spec", "selector", "matchLabels")) != fmt.Sprint(get(spec, "selector", "matchLabels")) {
		t.Errorf("pdb selector %v ≠ deployment selector %v", get(pdb, "spec", "selector"), get(spec, "selector"))
	}
	svc := one(t, rec, tService).Inputs
	if get(svc, "spec", "type") != "ClusterIP" {
		t.Errorf("service type = %v", get(svc, "spec", "type"))
	}
	ns := one(t, rec, tNamespacePatch).Inputs
	if get(ns, "metadata", "name") != "shop" || get(ns, "metadata", "labels", spec2gate) != "enabled" {
		t.Errorf("namespace patch = %v", ns)
	}
}

const spec2gate = spec.ReadinessGateLabel

func TestDeploymentAwaitTimeoutIsSizedToTheRollout(t *testing.T) {
	var c *zds.ZeroDowntimeService
	args := validArgs()
	args.Replicas = pulumi.IntRef(20)
	rec := run(t, func(ctx *pulumi.Context) error {
		var err error
		c, err = zds.NewZeroDowntimeService(ctx, "web", args)
		return err
	})
	dep := one(t, rec, tDeployment)
	want := fmt.Sprintf("%ds", c.Timing.AwaitTimeoutSeconds)
	if dep.CreateTimeout != want || dep.UpdateTimeout != want {
		t.Errorf("customTimeouts = %q/%q, want %q", dep.CreateTimeout, dep.UpdateTimeout, want)
	}
	if c.Timing.AwaitTimeoutSeconds <= 600 {
		t.Errorf("20 replicas at maxSurge 5 should need more than the 10-minute default, got %ds", c.Timing.AwaitTimeoutSeconds)
	}
}

func TestTwoInstancesInOneStackDoNotClash(t *testing.T) {
	rec := run(t, func(ctx *pulumi.Context) error {
		for _, name := range []string{"web", "api"} {
			args := validArgs()
			args.LoadBalancer.Host = name + ".example.com"
			if _, err := zds.NewZeroDowntimeService(ctx, name, args); err != nil {
				return err
			}
		}
		return nil
	})
	seen := map[string]bool{}
	for _, r := range rec.Resources() {
		if seen[r.URN] {
			t.Errorf("duplicate URN %s", r.URN)
		}
		seen[r.URN] = true
	}
	if n := len(rec.Find(tDeployment)); n != 2 {
		t.Errorf("want 2 deployments, got %d", n)
	}
	groups, err := check.Decode(rec.Manifests())
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 {
		t.Fatalf("want 2 services in the manifests, got %d", len(groups))
	}
	for _, g := range groups {
		if _, v := check.Objects(g); len(v) > 0 {
			t.Errorf("%s: %v", g.Deployment.Name, v)
		}
	}
}

func TestInvalidArgsRegisterNothing(t *testing.T) {
	args := &zds.ZeroDowntimeServiceArgs{ServiceSpec: zds.ServiceSpec{
		Port:        70000,
		Replicas:    pulumi.IntRef(1),
		HealthCheck: zds.HealthCheck{Path: "healthz"},
		App:         zds.App{MaxRequestSeconds: 15, ShutdownSeconds: pulumi.IntRef(15)},
		Timing: zds.Timing{
			PreStopSleepSeconds:           pulumi.IntRef(20),
			TerminationGracePeriodSeconds: pulumi.IntRef(30),
		},
	}}
	rec, err := preview.Run(func(ctx *pulumi.Context) error {
		_, err := zds.NewZeroDowntimeService(ctx, "web", args)
		return err
	})
	if err == nil {
		t.Fatal("want an error")
	}
	var invalid *spec.InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("want *spec.InvalidError, got %T: %v", err, err)
	}
	for _, want := range []string{
		"spec.image: Required value",
		"spec.port: Invalid value: 70000",
		"spec.replicas: Invalid value: 1",
		`spec.healthCheck.path: Invalid value: "healthz"`,
		// P = 20 breaks rule 2 and, with D ≥ L + R = 40, rule 3: raise it
		// to 26; G is then checked against the raised P.
		"spec.timing.preStopSleepSeconds: Invalid value: 20: rule 2 (P ≥ L)",
		"raise it to at least 26, which rule 3 also needs",
		"spec.timing.terminationGracePeriodSeconds: Invalid value: 30: rule 4 (G > P + S): timing.terminationGracePeriodSeconds (30) must exceed timing.preStopSleepSeconds (26, once raised as asked) + app.shutdownSeconds (15) = 41",
		"raise it to at least 42",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if n := len(rec.Resources()); n != 0 {
		t.Errorf("%d resources registered for invalid input, want none", n)
	}
}

// In a preview, an image built by another resource is unknown: the
// component must still register, with the unknown in place.
func TestUnknownImageInPreview(t *testing.T) {
	rec := run(t, func(ctx *pulumi.Context) error {
		var repo struct{ pulumi.CustomResourceState }
		if err := ctx.RegisterResource("aws:ecr/repository:Repository", "repo", pulumi.Map{}, &repo); err != nil {
			return err
		}
		args := validArgs()
		args.ServiceSpec.Image = ""
		args.Image = pulumi.Sprintf("%s:1.0", repo.ID())
		args.CertificateArn = repo.ID().ToStringOutput()
		_, err := zds.NewZeroDowntimeService(ctx, "web", args)
		return err
	}, preview.DryRun())
	dep := one(t, rec, tDeployment)
	if got := get(dep.Inputs, "spec", "template", "spec", "containers", 0, "image"); got != preview.Unknown {
		t.Errorf("image = %v, want unknown in preview", got)
	}
	ing := one(t, rec, tIngress)
	if got := get(ing.Inputs, "metadata", "annotations", service.AnnCertificateArn); got != preview.Unknown {
		t.Errorf("certificate ARN = %v, want unknown in preview", got)
	}
	if got := get(ing.Inputs, "metadata", "annotations", service.AnnListenPorts); got != `[{"HTTP":80},{"HTTPS":443}]` {
		t.Errorf("a certificate input must open HTTPS, listen-ports = %v", got)
	}
	if repo := one(t, rec, "aws:ecr/repository:Repository"); !slices.Contains(dep.DependsOn, repo.URN) {
		t.Errorf("the deployment must depend on the resource its image comes from: %v", dep.DependsOn)
	}
}

func TestImageAndCertificateFromKnownInputs(t *testing.T) {
	rec := run(t, func(ctx *pulumi.Context) error {
		args := validArgs()
		args.ServiceSpec.Image = ""
		args.Image = pulumi.String("123.dkr.ecr.eu-west-1.amazonaws.com/web:2.0")
		args.CertificateArn = pulumi.String("arn:aws:acm:eu-west-1:1:certificate/x")
		_, err := zds.NewZeroDowntimeService(ctx, "web", args)
		return err
	})
	if got := get(one(t, rec, tDeployment).Inputs, "spec", "template", "spec", "containers", 0, "image"); got != "123.dkr.ecr.eu-west-1.amazonaws.com/web:2.0" {
		t.Errorf("image = %v", got)
	}
	if got := get(one(t, rec, tIngress).Inputs, "metadata", "annotations", service.AnnCertificateArn); got != "arn:aws:acm:eu-west-1:1:certificate/x" {
		t.Errorf("certificate = %v", got)
	}
}

func TestOptionsReachChildren(t *testing.T) {
	var mu sync.Mutex
	transformed := map[string]bool{}
	rec := run(t, func(ctx *pulumi.Context) error {
		prov, err := kubernetes.NewProvider(ctx, "eks", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		// Legacy transformations run in the SDK, so their effect on the
		// children is visible here; engine-side Transforms are not run by
		// the mock monitor (pulumi/docs#17227).
		label := func(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
			mu.Lock()
			transformed[args.Type] = true
			mu.Unlock()
			return &pulumi.ResourceTransformationResult{Props: args.Props, Opts: args.Opts}
		}
		_, err = zds.NewZeroDowntimeService(ctx, "web", validArgs(),
			pulumi.Provider(prov), pulumi.Protect(true),
			pulumi.Transformations([]pulumi.ResourceTransformation{label}))
		return err
	})
	prov := one(t, rec, "pulumi:providers:kubernetes")
	for _, typ := range []string{tNamespacePatch, tService, tIngress, tPDB, tDeployment} {
		r := one(t, rec, typ)
		if !strings.HasPrefix(r.Provider, prov.URN+"::") {
			t.Errorf("%s: provider %q, want the component's %s", typ, r.Provider, prov.URN)
		}
		if !r.Protect {
			t.Errorf("%s: protect not inherited", typ)
		}
		if !transformed[typ] {
			t.Errorf("%s: the component's transformation did not reach it", typ)
		}
	}
}

func TestLoadBalancerHostnameOutput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status resource.PropertyMap
		want   string
	}{
		{"controller wrote the status", resource.NewPropertyMapFromMap(map[string]any{
			"status": map[string]any{"loadBalancer": map[string]any{"ingress": []any{
				map[string]any{"hostname": "k8s-shop-web-123.eu-west-1.elb.amazonaws.com"}}}},
		}), "k8s-shop-web-123.eu-west-1.elb.amazonaws.com"},
		{"no status yet (skipAwait)", nil, ""},
		{"empty ingress list", resource.NewPropertyMapFromMap(map[string]any{
			"status": map[string]any{"loadBalancer": map[string]any{"ingress": []any{}}},
		}), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			resolved := false
			run(t, func(ctx *pulumi.Context) error {
				c, err := zds.NewZeroDowntimeService(ctx, "web", validArgs())
				if err != nil {
					return err
				}
				c.LoadBalancerHostname.ApplyT(func(h string) error {
					got, resolved = h, true
					return nil
				})
				return nil
			}, preview.State(func(r *preview.Resource) resource.PropertyMap {
				if r.Type == tIngress {
					return tc.status
				}
				return nil
			}))
			if !resolved {
				t.Fatal("loadBalancerHostname never resolved")
			}
			if got != tc.want {
				t.Errorf("loadBalancerHostname = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOutputsNameChildrenAndTimings(t *testing.T) {
	type outs struct {
		dereg, prestop, grace  int
		dep, svc, ing, pdb, ns string
	}
	var got outs
	var c *zds.ZeroDowntimeService
	run(t, func(ctx *pulumi.Context) error {
		var err error
		c, err = zds.NewZeroDowntimeService(ctx, "web", validArgs())
		if err != nil {
			return err
		}
		pulumi.All(c.DeregistrationDelaySeconds, c.PreStopSleepSeconds, c.TerminationGracePeriodSeconds,
			c.DeploymentName, c.ServiceName, c.IngressName, c.PodDisruptionBudgetName, c.NamespaceName,
		).ApplyT(func(v []any) error {
			got = outs{v[0].(int), v[1].(int), v[2].(int), v[3].(string), v[4].(string), v[5].(string), v[6].(string), v[7].(string)}
			return nil
		})
		return nil
	})
	want := outs{c.Timing.DeregistrationDelaySeconds, c.Timing.PreStopSleepSeconds, c.Timing.TerminationGracePeriodSeconds,
		"web", "web", "web", "web", "shop"}
	if got != want {
		t.Errorf("outputs = %+v, want %+v", got, want)
	}
}

// The engine refuses two resources with one URN; so does the preview, so a
// program that would fail under `pulumi up` fails here too.
func TestTwoInstancesWithOneNameAreRefused(t *testing.T) {
	_, err := preview.Run(func(ctx *pulumi.Context) error {
		for _, ns := range []string{"a", "b"} {
			args := validArgs()
			args.Namespace = ns
			if _, err := zds.NewZeroDowntimeService(ctx, "web", args); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "duplicate resource URN") {
		t.Errorf("want a duplicate-URN error, got %v", err)
	}
}

// Resource types of the load-balancer modes, written out (not taken from
// the code under test).
const (
	modeTService      = "kubernetes:core/v1:Service"
	modeTIngress      = "kubernetes:networking.k8s.io/v1:Ingress"
	modeTDeployment   = "kubernetes:apps/v1:Deployment"
	modeTPDB          = "kubernetes:policy/v1:PodDisruptionBudget"
	modeTNSPatch      = "kubernetes:core/v1:NamespacePatch"
	modeTTargetGroup  = "aws:lb/targetGroup:TargetGroup"
	modeTListenerRule = "aws:lb/listenerRule:ListenerRule"
	modeTTGB          = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"
	modeTHPA          = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	modeTGate         = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy"
	modeTGateBinding  = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding"

	modeCert     = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
	modeListener = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2"
	modeVPC      = "vpc-0123456789abcdef0"
)

// nlbArgs: validArgs as an NLB (which routes by port: no host).
func nlbArgs() *zds.ZeroDowntimeServiceArgs {
	args := validArgs()
	args.LoadBalancer = zds.LoadBalancer{Kind: "nlb", Scheme: "internet-facing"}
	return args
}

func tgbArgs() *zds.ZeroDowntimeServiceArgs {
	args := validArgs()
	args.LoadBalancer = zds.LoadBalancer{Kind: "targetGroupBinding", VpcId: modeVPC}
	return args
}

func autoscalingArgs() *zds.ZeroDowntimeServiceArgs {
	args := validArgs()
	args.Autoscaling = zds.Autoscaling{
		Enabled:                       true,
		MinReplicas:                   pulumi.IntRef(3),
		MaxReplicas:                   10,
		CPUUtilizationPercent:         pulumi.IntRef(70),
		MemoryUtilizationPercent:      pulumi.IntRef(85),
		ScaleDownStabilizationSeconds: pulumi.IntRef(600),
	}
	args.Disruption.MaxUnavailable = pulumi.IntRef(2)
	return args
}

// modeRun registers one component named "web" and returns it with the
// recording.
func modeRun(t *testing.T, args *zds.ZeroDowntimeServiceArgs, opts ...preview.Option) (*zds.ZeroDowntimeService, *preview.Recording) {
	t.Helper()
	var c *zds.ZeroDowntimeService
	rec := run(t, func(ctx *pulumi.Context) error {
		var err error
		c, err = zds.NewZeroDowntimeService(ctx, "web", args)
		return err
	}, opts...)
	return c, rec
}

// modeChildren asserts the exact set of child types, each once and each
// parented by the component.
func modeChildren(t *testing.T, rec *preview.Recording, want ...string) {
	t.Helper()
	comp := one(t, rec, zds.TypeToken)
	var got []string
	for _, r := range rec.Resources() {
		if r == comp {
			continue
		}
		got = append(got, r.Type)
		if r.Parent != comp.URN {
			t.Errorf("%s: parent %q, want the component %q", r.Type, r.Parent, comp.URN)
		}
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("children %v, want %v", got, want)
	}
}

// modeCheck runs the checker on the recorded objects (with the target group
// read back from its pulumi-aws inputs).
func modeCheck(t *testing.T, rec *preview.Recording) {
	t.Helper()
	groups, err := rec.Services()
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 {
		t.Fatalf("want one service, got %d", len(groups))
	}
	if _, v := check.Objects(groups[0]); len(v) > 0 {
		t.Errorf("recorded objects break rules: %v", v)
	}
}

func modeDependsOn(t *testing.T, r *preview.Resource, deps ...*preview.Resource) {
	t.Helper()
	for _, d := range deps {
		if !slices.Contains(r.DependsOn, d.URN) {
			t.Errorf("%s must depend on %s; depends on %v", r.Type, d.Type, r.DependsOn)
		}
	}
}

// modeOutput collects a string output's value. Outputs built from plain
// values (pulumi.String(...).ToStringOutput()) are not tied to the program's
// context, so the run may end before their applies do: value waits for it.
type modeOutput chan string

func watch(o pulumi.StringOutput) modeOutput {
	ch := make(modeOutput, 1)
	o.ApplyT(func(s string) string {
		ch <- s
		return s
	})
	return ch
}

func (ch modeOutput) value(t *testing.T, what string) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never resolved", what)
		return ""
	}
}

func TestNLBRegistersALoadBalancerServiceAndNoIngress(t *testing.T) {
	c, rec := modeRun(t, nlbArgs())
	modeChildren(t, rec, modeTNSPatch, modeTService, modeTPDB, modeTGate, modeTGateBinding, modeTDeployment)
	tm := c.Timing
	if tm.PreStopSleepSeconds < 120 {
		t.Fatalf("preStop %d: the NLB profile (L = 120) was not applied", tm.PreStopSleepSeconds)
	}

	svc := one(t, rec, modeTService).Inputs
	if get(svc, "spec", "type") != "LoadBalancer" {
		t.Errorf("service type %v, want LoadBalancer", get(svc, "spec", "type"))
	}
	if get(svc, "spec", "allocateLoadBalancerNodePorts") != false {
		t.Errorf("allocateLoadBalancerNodePorts = %v, want false (IP targets need no node ports)", get(svc, "spec", "allocateLoadBalancerNodePorts"))
	}
	ann, _ := get(svc, "metadata", "annotations").(map[string]any)
	p := "service.beta.kubernetes.io/"
	want := map[string]string{
		p + "aws-load-balancer-type":            "external",
		p + "aws-load-balancer-nlb-target-type": "ip",
		p + "aws-load-balancer-scheme":          "internet-facing",
		p + "aws-load-balancer-target-group-attributes": fmt.Sprintf(
			"deregistration_delay.timeout_seconds=%d,deregistration_delay.connection_termination.enabled=true", tm.DeregistrationDelaySeconds),
		p + "aws-load-balancer-healthcheck-protocol":            "http",
		p + "aws-load-balancer-healthcheck-path":                "/healthz",
		p + "aws-load-balancer-healthcheck-port":                "traffic-port",
		p + "aws-load-balancer-healthcheck-interval":            strconv.Itoa(tm.HealthCheck.IntervalSeconds),
		p + "aws-load-balancer-healthcheck-timeout":             strconv.Itoa(tm.HealthCheck.TimeoutSeconds),
		p + "aws-load-balancer-healthcheck-healthy-threshold":   strconv.Itoa(tm.HealthCheck.HealthyThreshold),
		p + "aws-load-balancer-healthcheck-unhealthy-threshold": strconv.Itoa(tm.HealthCheck.UnhealthyThreshold),
		p + "aws-load-balancer-healthcheck-success-codes":       "200",
	}
	for k, v := range want {
		if ann[k] != v {
			t.Errorf("service annotation %s = %v, want %q", k, ann[k], v)
		}
	}
	for _, k := range []string{p + "aws-load-balancer-ssl-cert", p + "aws-load-balancer-ssl-ports"} {
		if v, ok := ann[k]; ok {
			t.Errorf("without a certificate, %s = %v must not be set", k, v)
		}
	}
	// NLB defaults: 10 s interval, 6 s timeout (L = 120, R = 15: D = 140).
	if tm.DeregistrationDelaySeconds != 140 || tm.HealthCheck.TimeoutSeconds != 6 {
		t.Errorf("D = %d, health-check timeout %d; want 140 and the NLB's 6", tm.DeregistrationDelaySeconds, tm.HealthCheck.TimeoutSeconds)
	}
	if ports, _ := get(svc, "spec", "ports").([]any); len(ports) != 1 || get(svc, "spec", "ports", 0, "port") != 80.0 {
		t.Errorf("ports %v, want only 80", get(svc, "spec", "ports"))
	}
	// The readiness probe is what the NLB health check mirrors (rule 7).
	dep := one(t, rec, modeTDeployment)
	if rp := get(dep.Inputs, "spec", "template", "spec", "containers", 0, "readinessProbe", "httpGet"); get(rp.(map[string]any), "path") != ann[p+"aws-load-balancer-healthcheck-path"] || get(rp.(map[string]any), "port") != "http" {
		t.Errorf("readiness probe %v does not match the NLB health check", rp)
	}
	if get(dep.Inputs, "spec", "template", "spec", "terminationGracePeriodSeconds") != float64(tm.TerminationGracePeriodSeconds) ||
		get(dep.Inputs, "spec", "template", "spec", "containers", 0, "lifecycle", "preStop", "sleep", "seconds") != float64(tm.PreStopSleepSeconds) {
		t.Errorf("the Deployment does not carry the NLB chain P = %d, G = %d", tm.PreStopSleepSeconds, tm.TerminationGracePeriodSeconds)
	}
	modeDependsOn(t, dep, one(t, rec, modeTService), one(t, rec, modeTNSPatch), one(t, rec, modeTPDB))
	modeDependsOn(t, one(t, rec, modeTService), one(t, rec, modeTNSPatch))
	modeCheck(t, rec)
}

func TestNLBWithCertificateServesTLSOn443(t *testing.T) {
	const inputCert = "arn:aws:acm:eu-west-1:123456789012:certificate/from-input"
	for _, tc := range []struct {
		name string
		set  func(*zds.ZeroDowntimeServiceArgs)
		want string
	}{
		{"certificate in the spec", func(a *zds.ZeroDowntimeServiceArgs) { a.LoadBalancer.CertificateArn = modeCert }, modeCert},
		{"certificate as a Pulumi input", func(a *zds.ZeroDowntimeServiceArgs) { a.CertificateArn = pulumi.String(inputCert) }, inputCert},
		{"both: the input wins", func(a *zds.ZeroDowntimeServiceArgs) {
			a.LoadBalancer.CertificateArn = modeCert
			a.CertificateArn = pulumi.String(inputCert)
		}, inputCert},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := nlbArgs()
			tc.set(args)
			_, rec := modeRun(t, args)
			svc := one(t, rec, modeTService).Inputs
			if got := get(svc, "metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"); got != tc.want {
				t.Errorf("ssl-cert = %v, want %q", got, tc.want)
			}
			if got := get(svc, "metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-ssl-ports"); got != "443" {
				t.Errorf("ssl-ports = %v, want 443", got)
			}
			ports, _ := get(svc, "spec", "ports").([]any)
			found := false
			for _, p := range ports {
				pm := p.(map[string]any)
				if pm["port"] == 443.0 {
					found = true
					if pm["targetPort"] != "http" || pm["protocol"] != "TCP" {
						t.Errorf("port 443 = %v, want TCP to the container's http port", pm)
					}
				}
			}
			if len(ports) != 2 || !found {
				t.Errorf("ports %v, want 80 and 443", ports)
			}
			if n := len(rec.Find(modeTIngress)); n != 0 {
				t.Errorf("%d Ingresses for an NLB", n)
			}
		})
	}
}

// In a preview an ACM certificate's ARN is unknown: the annotation carries
// the unknown and the Service depends on the certificate.
func TestNLBUnknownCertificateInPreview(t *testing.T) {
	rec := run(t, func(ctx *pulumi.Context) error {
		var cert struct{ pulumi.CustomResourceState }
		if err := ctx.RegisterResource("aws:acm/certificate:Certificate", "cert", pulumi.Map{}, &cert); err != nil {
			return err
		}
		args := nlbArgs()
		args.CertificateArn = cert.ID().ToStringOutput()
		_, err := zds.NewZeroDowntimeService(ctx, "web", args)
		return err
	}, preview.DryRun())
	svc := one(t, rec, modeTService)
	if got := get(svc.Inputs, "metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"); got != preview.Unknown {
		t.Errorf("ssl-cert = %v, want unknown in preview", got)
	}
	modeDependsOn(t, svc, one(t, rec, "aws:acm/certificate:Certificate"))
}

func TestNLBLoadBalancerHostnameComesFromTheServiceStatus(t *testing.T) {
	const host = "k8s-shop-web-0123456789.elb.eu-west-1.amazonaws.com"
	for _, tc := range []struct {
		name   string
		status resource.PropertyMap
		want   string
	}{
		{"controller wrote the status", resource.NewPropertyMapFromMap(map[string]any{
			"status": map[string]any{"loadBalancer": map[string]any{"ingress": []any{map[string]any{"hostname": host}}}},
		}), host},
		{"no status yet", nil, ""},
		{"empty ingress list", resource.NewPropertyMapFromMap(map[string]any{
			"status": map[string]any{"loadBalancer": map[string]any{"ingress": []any{}}},
		}), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h, i, a modeOutput
			run(t, func(ctx *pulumi.Context) error {
				c, err := zds.NewZeroDowntimeService(ctx, "web", nlbArgs())
				if err != nil {
					return err
				}
				h, i, a = watch(c.LoadBalancerHostname), watch(c.IngressName), watch(c.TargetGroupArn)
				return nil
			}, preview.State(func(r *preview.Resource) resource.PropertyMap {
				if r.Type == modeTService {
					return tc.status
				}
				return nil
			}))
			hostname, ingressName, tgArn := h.value(t, "loadBalancerHostname"), i.value(t, "ingressName"), a.value(t, "targetGroupArn")
			if hostname != tc.want {
				t.Errorf("loadBalancerHostname = %q, want %q", hostname, tc.want)
			}
			if ingressName != "" || tgArn != "" {
				t.Errorf("ingressName %q, targetGroupArn %q: want both empty for an NLB", ingressName, tgArn)
			}
		})
	}
}

func TestTargetGroupBindingRegistersTheTargetGroupAndBindsTheService(t *testing.T) {
	args := tgbArgs()
	args.HealthCheck.SuccessCodes = "200-299"
	var a, h modeOutput
	var c *zds.ZeroDowntimeService
	rec := run(t, func(ctx *pulumi.Context) error {
		var err error
		c, err = zds.NewZeroDowntimeService(ctx, "web", args)
		if err != nil {
			return err
		}
		a, h = watch(c.TargetGroupArn), watch(c.LoadBalancerHostname)
		return nil
	})
	modeChildren(t, rec, modeTNSPatch, modeTService, modeTPDB, modeTGate, modeTGateBinding, modeTDeployment, modeTTargetGroup, modeTTGB)
	tm := c.Timing

	tg := one(t, rec, modeTTargetGroup)
	if !tg.Custom {
		t.Errorf("the target group must be a custom resource")
	}
	in := tg.Inputs
	if get(in, "targetType") != "ip" || get(in, "protocol") != "HTTP" || get(in, "port") != 8080.0 || get(in, "vpcId") != modeVPC {
		t.Errorf("target group = targetType %v, protocol %v, port %v, vpc %v; want ip, HTTP, 8080, %s",
			get(in, "targetType"), get(in, "protocol"), get(in, "port"), get(in, "vpcId"), modeVPC)
	}
	if get(in, "deregistrationDelay") != float64(tm.DeregistrationDelaySeconds) || tm.DeregistrationDelaySeconds != 45 {
		t.Errorf("deregistrationDelay = %v, want D = %d (= L + R + 5 = 45)", get(in, "deregistrationDelay"), tm.DeregistrationDelaySeconds)
	}
	// The health check is the readiness probe (rule 7), with the derived
	// numbers.
	dep := one(t, rec, modeTDeployment)
	readiness := get(dep.Inputs, "spec", "template", "spec", "containers", 0, "readinessProbe", "httpGet", "path")
	hc, _ := get(in, "healthCheck").(map[string]any)
	wantHC := map[string]any{
		"enabled":            true,
		"protocol":           "HTTP",
		"path":               readiness,
		"port":               "traffic-port",
		"interval":           float64(tm.HealthCheck.IntervalSeconds),
		"timeout":            float64(tm.HealthCheck.TimeoutSeconds),
		"healthyThreshold":   float64(tm.HealthCheck.HealthyThreshold),
		"unhealthyThreshold": float64(tm.HealthCheck.UnhealthyThreshold),
		"matcher":            "200-299",
	}
	if readiness != "/healthz" {
		t.Errorf("readiness path %v, want /healthz", readiness)
	}
	for k, v := range wantHC {
		if hc[k] != v {
			t.Errorf("healthCheck.%s = %v, want %v", k, hc[k], v)
		}
	}
	if h := tm.HealthCheck; h.IntervalSeconds != 10 || h.TimeoutSeconds != 5 || h.HealthyThreshold != 2 || h.UnhealthyThreshold != 2 {
		t.Errorf("health check %+v, want the ALB defaults 10/5/2/2", tm.HealthCheck)
	}

	// The binding points the Service at the target group's ARN.
	wantArn := fmt.Sprintf("arn:aws:mock:%s:%s", modeTTargetGroup, "web")
	tgb := one(t, rec, modeTTGB)
	if get(tgb.Inputs, "apiVersion") != "elbv2.k8s.aws/v1beta1" || get(tgb.Inputs, "kind") != "TargetGroupBinding" {
		t.Errorf("binding apiVersion/kind = %v/%v", get(tgb.Inputs, "apiVersion"), get(tgb.Inputs, "kind"))
	}
	if got := get(tgb.Inputs, "spec", "targetGroupARN"); got != wantArn {
		t.Errorf("spec.targetGroupARN = %v, want the target group's %q", got, wantArn)
	}
	svc := one(t, rec, modeTService)
	if get(tgb.Inputs, "spec", "targetType") != "ip" ||
		get(tgb.Inputs, "spec", "serviceRef", "name") != get(svc.Inputs, "metadata", "name") ||
		get(tgb.Inputs, "spec", "serviceRef", "port") != 80.0 {
		t.Errorf("binding spec = %v, want ip targets on Service %v port 80", get(tgb.Inputs, "spec"), get(svc.Inputs, "metadata", "name"))
	}
	if get(tgb.Inputs, "metadata", "namespace") != "shop" {
		t.Errorf("binding namespace %v, want the Service's", get(tgb.Inputs, "metadata", "namespace"))
	}
	if get(svc.Inputs, "spec", "type") != "ClusterIP" {
		t.Errorf("service type %v, want ClusterIP (the binding registers pod IPs)", get(svc.Inputs, "spec", "type"))
	}
	ns := one(t, rec, modeTNSPatch)
	if get(ns.Inputs, "metadata", "labels", spec.ReadinessGateLabel) != "enabled" {
		t.Errorf("namespace patch %v lacks the readiness-gate label", ns.Inputs)
	}
	modeDependsOn(t, tgb, one(t, rec, modeTTargetGroup), svc, ns)
	modeDependsOn(t, dep, tgb, svc, ns, one(t, rec, modeTPDB))
	order := rec.Resources()
	if slices.Index(order, tgb) > slices.Index(order, dep) || slices.Index(order, ns) > slices.Index(order, tgb) {
		t.Errorf("creation order: namespace %d, binding %d, deployment %d", slices.Index(order, ns), slices.Index(order, tgb), slices.Index(order, dep))
	}

	tgArnOut, hostname := a.value(t, "targetGroupArn"), h.value(t, "loadBalancerHostname")
	if tgArnOut != wantArn {
		t.Errorf("targetGroupArn output %q, want %q", tgArnOut, wantArn)
	}
	if hostname != "" {
		t.Errorf("loadBalancerHostname %q, want \"\" (the ALB is managed elsewhere)", hostname)
	}
	if n := len(rec.Find(modeTListenerRule)); n != 0 {
		t.Errorf("%d listener rules without a listenerArn", n)
	}
	modeCheck(t, rec)
}

// A health check on its own port is the target group's port too.
func TestTargetGroupHealthCheckOnASeparatePort(t *testing.T) {
	args := tgbArgs()
	args.HealthCheck.Port = pulumi.IntRef(9090)
	_, rec := modeRun(t, args)
	if got := get(one(t, rec, modeTTargetGroup).Inputs, "healthCheck", "port"); got != "9090" {
		t.Errorf("healthCheck.port = %v, want 9090", got)
	}
	if got := get(one(t, rec, modeTDeployment).Inputs, "spec", "template", "spec", "containers", 0, "readinessProbe", "httpGet", "port"); got != 9090.0 {
		t.Errorf("readiness port = %v, want 9090", got)
	}
	modeCheck(t, rec)
}

func TestTargetGroupBindingWithAListenerRule(t *testing.T) {
	for _, tc := range []struct {
		name     string
		set      func(*zds.ZeroDowntimeServiceArgs)
		listener string
		vpc      string
	}{
		{"plain listener and VPC", func(a *zds.ZeroDowntimeServiceArgs) {
			a.LoadBalancer.ListenerArn = modeListener
		}, modeListener, modeVPC},
		{"listener and VPC as Pulumi inputs", func(a *zds.ZeroDowntimeServiceArgs) {
			a.LoadBalancer.VpcId = ""
			a.VpcId = pulumi.String("vpc-from-input")
			a.ListenerArn = pulumi.String("arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/x/1/2")
		}, "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/x/1/2", "vpc-from-input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tgbArgs()
			args.LoadBalancer.ListenerRulePriority = pulumi.IntRef(42)
			args.LoadBalancer.Host = "web.example.com"
			args.LoadBalancer.Paths = []string{"/", "/api"}
			tc.set(args)
			_, rec := modeRun(t, args)
			modeChildren(t, rec, modeTNSPatch, modeTService, modeTPDB, modeTGate, modeTGateBinding, modeTDeployment, modeTTargetGroup, modeTTGB, modeTListenerRule)
			tg := one(t, rec, modeTTargetGroup)
			if get(tg.Inputs, "vpcId") != tc.vpc {
				t.Errorf("vpcId = %v, want %q", get(tg.Inputs, "vpcId"), tc.vpc)
			}
			rule := one(t, rec, modeTListenerRule)
			in := rule.Inputs
			if get(in, "listenerArn") != tc.listener || get(in, "priority") != 42.0 {
				t.Errorf("listenerArn %v, priority %v; want %q, 42", get(in, "listenerArn"), get(in, "priority"), tc.listener)
			}
			actions, _ := get(in, "actions").([]any)
			wantArn := fmt.Sprintf("arn:aws:mock:%s:%s", modeTTargetGroup, "web")
			if len(actions) != 1 || get(in, "actions", 0, "type") != "forward" || get(in, "actions", 0, "targetGroupArn") != wantArn {
				t.Errorf("actions %v, want one forward to %s", actions, wantArn)
			}
			var hosts, paths []any
			conds, _ := get(in, "conditions").([]any)
			for _, c := range conds {
				cm := c.(map[string]any)
				if v, ok := get(cm, "hostHeader", "values").([]any); ok {
					hosts = append(hosts, v...)
				}
				if v, ok := get(cm, "pathPattern", "values").([]any); ok {
					paths = append(paths, v...)
				}
			}
			if fmt.Sprint(hosts) != "[web.example.com]" {
				t.Errorf("host-header values %v, want [web.example.com]", hosts)
			}
			// "/" matches everything: "/*"; a prefix "/api" is "/api" and
			// everything below it.
			if fmt.Sprint(paths) != "[/* /api /api/*]" {
				t.Errorf("path-pattern values %v, want [/* /api /api/*]", paths)
			}
			modeDependsOn(t, rule, tg)
			modeCheck(t, rec)
		})
	}
}

// Without a host, the rule has only the path condition.
func TestListenerRuleWithoutHost(t *testing.T) {
	args := tgbArgs()
	args.LoadBalancer.ListenerArn = modeListener
	args.LoadBalancer.ListenerRulePriority = pulumi.IntRef(1)
	_, rec := modeRun(t, args)
	conds, _ := get(one(t, rec, modeTListenerRule).Inputs, "conditions").([]any)
	if len(conds) != 1 || fmt.Sprint(get(conds[0].(map[string]any), "pathPattern", "values")) != "[/*]" {
		t.Errorf("conditions %v, want only path-pattern /*", conds)
	}
}

// In a preview the target group's ARN is unknown: the binding and the
// output still register, with the unknown in place.
func TestTargetGroupBindingInPreview(t *testing.T) {
	_, rec := modeRun(t, tgbArgs(), preview.DryRun())
	tgb := one(t, rec, modeTTGB)
	if got := get(tgb.Inputs, "spec", "targetGroupARN"); got != preview.Unknown {
		t.Errorf("targetGroupARN = %v, want unknown in preview", got)
	}
	modeDependsOn(t, tgb, one(t, rec, modeTTargetGroup))
}

// ignoreChangesMocks records each registration's ignoreChanges, which
// preview.Resource does not record.
type ignoreChangesMocks struct {
	mu     sync.Mutex
	byType map[string][]string
}

func (m *ignoreChangesMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if args.RegisterRPC != nil {
		m.byType[args.TypeToken] = slices.Clone(args.RegisterRPC.GetIgnoreChanges())
	}
	return args.Name + "-id", args.Inputs, nil
}

func (m *ignoreChangesMocks) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

func TestAutoscalingRegistersAnHPAThatOwnsTheReplicas(t *testing.T) {
	c, rec := modeRun(t, autoscalingArgs())
	modeChildren(t, rec, modeTNSPatch, modeTService, modeTIngress, modeTPDB, modeTGate, modeTGateBinding, modeTDeployment, modeTHPA)
	tm := c.Timing

	hpa := one(t, rec, modeTHPA)
	dep := one(t, rec, modeTDeployment)
	modeDependsOn(t, hpa, dep)
	in := hpa.Inputs
	if get(in, "apiVersion") != "autoscaling/v2" {
		t.Errorf("HPA apiVersion %v", get(in, "apiVersion"))
	}
	if get(in, "spec", "scaleTargetRef", "kind") != "Deployment" || get(in, "spec", "scaleTargetRef", "apiVersion") != "apps/v1" ||
		get(in, "spec", "scaleTargetRef", "name") != get(dep.Inputs, "metadata", "name") {
		t.Errorf("scaleTargetRef %v, want the Deployment", get(in, "spec", "scaleTargetRef"))
	}
	if get(in, "metadata", "namespace") != get(dep.Inputs, "metadata", "namespace") {
		t.Errorf("HPA namespace %v ≠ Deployment's", get(in, "metadata", "namespace"))
	}
	if get(in, "spec", "minReplicas") != 3.0 || get(in, "spec", "maxReplicas") != 10.0 {
		t.Errorf("min/max = %v/%v, want 3/10", get(in, "spec", "minReplicas"), get(in, "spec", "maxReplicas"))
	}
	metrics := map[any]any{}
	ms, _ := get(in, "spec", "metrics").([]any)
	for _, m := range ms {
		mm := m.(map[string]any)
		if get(mm, "type") != "Resource" || get(mm, "resource", "target", "type") != "Utilization" {
			t.Errorf("metric %v, want a Resource utilization target", mm)
		}
		metrics[get(mm, "resource", "name")] = get(mm, "resource", "target", "averageUtilization")
	}
	if len(ms) != 2 || metrics["cpu"] != 70.0 || metrics["memory"] != 85.0 {
		t.Errorf("metrics %v, want cpu 70 and memory 85", ms)
	}
	down := get(in, "spec", "behavior", "scaleDown").(map[string]any)
	if get(down, "stabilizationWindowSeconds") != 600.0 {
		t.Errorf("stabilizationWindowSeconds %v, want 600", get(down, "stabilizationWindowSeconds"))
	}
	policies, _ := get(down, "policies").([]any)
	wantPeriod := min(tm.TerminationGracePeriodSeconds, 1800)
	if len(policies) != 1 || get(down, "policies", 0, "type") != "Pods" || get(down, "policies", 0, "value") != 2.0 ||
		get(down, "policies", 0, "periodSeconds") != float64(wantPeriod) {
		t.Errorf("scale-down policies %v, want Pods 2 (disruption.maxUnavailable) per %d s (the grace period)", policies, wantPeriod)
	}

	if v, ok := get(dep.Inputs, "spec").(map[string]any)["replicas"]; ok {
		t.Errorf("the Deployment sets replicas %v: every update would reset the autoscaler's count", v)
	}
	pdb := one(t, rec, modeTPDB)
	if get(pdb.Inputs, "spec", "maxUnavailable") != 2.0 {
		t.Errorf("PDB maxUnavailable %v, want 2 (below minReplicas 3)", get(pdb.Inputs, "spec", "maxUnavailable"))
	}
	// The rollout is sized for maxReplicas: maxSurge ceil(10 / 4) = 3.
	if got := get(dep.Inputs, "spec", "strategy", "rollingUpdate", "maxSurge"); got != 3.0 {
		t.Errorf("maxSurge %v, want 3", got)
	}
	modeCheck(t, rec)

	// ignoreChanges is not recorded by preview.Resource: read it from the
	// registration request under plain mocks.
	m := &ignoreChangesMocks{byType: map[string][]string{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := zds.NewZeroDowntimeService(ctx, "web", autoscalingArgs())
		return err
	}, pulumi.WithMocks("zds", "dev", m))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(m.byType[modeTDeployment], "spec.replicas") {
		t.Errorf("Deployment ignoreChanges %v, want spec.replicas", m.byType[modeTDeployment])
	}
	if ic := m.byType[modeTHPA]; len(ic) != 0 {
		t.Errorf("HPA ignoreChanges %v, want none", ic)
	}
}

// Without autoscaling the Deployment owns its replicas and ignores nothing.
func TestWithoutAutoscalingReplicasAreManaged(t *testing.T) {
	_, rec := modeRun(t, validArgs())
	if n := len(rec.Find(modeTHPA)); n != 0 {
		t.Errorf("%d autoscalers without autoscaling", n)
	}
	if got := get(one(t, rec, modeTDeployment).Inputs, "spec", "replicas"); got != 3.0 {
		t.Errorf("replicas %v, want the default 3", got)
	}
	m := &ignoreChangesMocks{byType: map[string][]string{}}
	if err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := zds.NewZeroDowntimeService(ctx, "web", validArgs())
		return err
	}, pulumi.WithMocks("zds", "dev", m)); err != nil {
		t.Fatal(err)
	}
	if ic := m.byType[modeTDeployment]; len(ic) != 0 {
		t.Errorf("Deployment ignoreChanges %v without an autoscaler, want none", ic)
	}
}

// The scale-down period is the grace period, capped at the HPA maximum of
// 1800 s.
func TestAutoscalingScaleDownPeriodIsCapped(t *testing.T) {
	args := autoscalingArgs()
	args.App = zds.App{MaxRequestSeconds: 1800} // S = 1800: G = P + 1800 + 5 > 1800
	c, rec := modeRun(t, args)
	if c.Timing.TerminationGracePeriodSeconds <= 1800 {
		t.Fatalf("grace %d: the case needs G > 1800", c.Timing.TerminationGracePeriodSeconds)
	}
	if got := get(one(t, rec, modeTHPA).Inputs, "spec", "behavior", "scaleDown", "policies", 0, "periodSeconds"); got != 1800.0 {
		t.Errorf("periodSeconds %v, want 1800", got)
	}
}

func TestSharedALBAttributesOnlyFromTheOwner(t *testing.T) {
	const attr = "alb.ingress.kubernetes.io/load-balancer-attributes"
	for _, tc := range []struct {
		name  string
		group string
		owner bool
		want  any // nil: absent
	}{
		{"group member", "shop", false, nil},
		{"group owner", "shop", true, "idle_timeout.timeout_seconds=120"},
		{"no group", "", false, "idle_timeout.timeout_seconds=120"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := validArgs()
			args.LoadBalancer.GroupName = tc.group
			args.LoadBalancer.GroupAttributesOwner = tc.owner
			args.LoadBalancer.IdleTimeoutSeconds = pulumi.IntRef(120)
			args.App.KeepAliveTimeoutSeconds = pulumi.IntRef(121)
			_, rec := modeRun(t, args)
			ing := one(t, rec, modeTIngress).Inputs
			ann, _ := get(ing, "metadata", "annotations").(map[string]any)
			if got, ok := ann[attr]; tc.want == nil && ok || tc.want != nil && got != tc.want {
				t.Errorf("%s = %v (present %v), want %v", attr, got, ok, tc.want)
			}
			if tc.group != "" && ann["alb.ingress.kubernetes.io/group.name"] != tc.group {
				t.Errorf("group.name = %v, want %q", ann["alb.ingress.kubernetes.io/group.name"], tc.group)
			}
			// Rule 8 is checked against the declared idle timeout either way.
			if got := get(one(t, rec, modeTDeployment).Inputs, "metadata", "annotations", "zds.dev/idle-timeout-seconds"); got != "120" {
				t.Errorf("idle-timeout fact %v, want 120", got)
			}
		})
	}
	// Without an idle timeout nobody sets attributes.
	args := validArgs()
	args.LoadBalancer.GroupName = "shop"
	args.LoadBalancer.GroupAttributesOwner = true
	_, rec := modeRun(t, args)
	if v, ok := get(one(t, rec, modeTIngress).Inputs, "metadata", "annotations").(map[string]any)[attr]; ok {
		t.Errorf("%s = %v without idleTimeoutSeconds", attr, v)
	}
}

// Two services in one ALB group: one Ingress carries the attributes.
func TestTwoServicesInAGroupDoNotFightOverAttributes(t *testing.T) {
	rec := run(t, func(ctx *pulumi.Context) error {
		for i, name := range []string{"web", "api"} {
			args := validArgs()
			args.LoadBalancer.Host = name + ".example.com"
			args.LoadBalancer.GroupName = "shop"
			args.LoadBalancer.GroupOrder = pulumi.IntRef(10 * (i + 1))
			args.LoadBalancer.GroupAttributesOwner = i == 0
			args.LoadBalancer.IdleTimeoutSeconds = pulumi.IntRef(120)
			if _, err := zds.NewZeroDowntimeService(ctx, name, args); err != nil {
				return err
			}
		}
		return nil
	})
	owners := 0
	for _, ing := range rec.Find(modeTIngress) {
		if _, ok := get(ing.Inputs, "metadata", "annotations", "alb.ingress.kubernetes.io/load-balancer-attributes").(string); ok {
			owners++
		}
	}
	if owners != 1 {
		t.Errorf("%d Ingresses set the group's attributes, want exactly 1", owners)
	}
}

func TestSpreadConstraints(t *testing.T) {
	selector := map[string]any{"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web"}
	type want struct{ key, mode string }
	for _, tc := range []struct {
		name   string
		spread zds.Spread
		want   []want
	}{
		{"defaults", zds.Spread{}, []want{{"topology.kubernetes.io/zone", "DoNotSchedule"}, {"kubernetes.io/hostname", "ScheduleAnyway"}}},
		{"zones off", zds.Spread{Zones: "Off"}, []want{{"kubernetes.io/hostname", "ScheduleAnyway"}}},
		{"nodes off", zds.Spread{Nodes: "Off"}, []want{{"topology.kubernetes.io/zone", "DoNotSchedule"}}},
		{"both swapped", zds.Spread{Zones: "ScheduleAnyway", Nodes: "DoNotSchedule"}, []want{{"topology.kubernetes.io/zone", "ScheduleAnyway"}, {"kubernetes.io/hostname", "DoNotSchedule"}}},
		{"both off", zds.Spread{Zones: "Off", Nodes: "Off"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := validArgs()
			args.Spread = tc.spread
			_, rec := modeRun(t, args)
			dep := one(t, rec, modeTDeployment).Inputs
			got, _ := get(dep, "spec", "template", "spec", "topologySpreadConstraints").([]any)
			if len(got) != len(tc.want) {
				t.Fatalf("%d constraints %v, want %d", len(got), got, len(tc.want))
			}
			depSelector := get(dep, "spec", "selector", "matchLabels")
			if fmt.Sprint(depSelector) != fmt.Sprint(selector) {
				t.Fatalf("deployment selector %v, want %v", depSelector, selector)
			}
			for i, w := range tc.want {
				c := got[i].(map[string]any)
				if c["topologyKey"] != w.key || c["whenUnsatisfiable"] != w.mode || c["maxSkew"] != 1.0 {
					t.Errorf("constraint %d = %v, want %s %s maxSkew 1", i, c, w.key, w.mode)
				}
				if fmt.Sprint(get(c, "labelSelector", "matchLabels")) != fmt.Sprint(selector) {
					t.Errorf("constraint %d selects %v, want the pods' %v", i, get(c, "labelSelector", "matchLabels"), selector)
				}
				if fmt.Sprint(c["matchLabelKeys"]) != "[pod-template-hash]" || c["nodeTaintsPolicy"] != "Honor" {
					t.Errorf("constraint %d: matchLabelKeys %v, nodeTaintsPolicy %v; want [pod-template-hash], Honor", i, c["matchLabelKeys"], c["nodeTaintsPolicy"])
				}
			}
		})
	}
}

// Mode-specific bad input is refused before anything is registered, by
// NewZeroDowntimeService and Validate alike.
func TestInvalidModeInputRegistersNothing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   func() *zds.ZeroDowntimeServiceArgs
		path   string
		detail string
	}{
		{"nlb with a host", func() *zds.ZeroDowntimeServiceArgs {
			a := nlbArgs()
			a.LoadBalancer.Host = "web.example.com"
			return a
		}, "spec.loadBalancer.host", "an NLB routes by port"},
		{"nlb with a listener input", func() *zds.ZeroDowntimeServiceArgs {
			a := nlbArgs()
			a.ListenerArn = pulumi.String(modeListener)
			return a
		}, "spec.loadBalancer.listenerArn", "not used with loadBalancer.kind nlb"},
		{"targetGroupBinding without a VPC", func() *zds.ZeroDowntimeServiceArgs {
			a := tgbArgs()
			a.LoadBalancer.VpcId = ""
			return a
		}, "spec.loadBalancer.vpcId", "Required value"},
		{"targetGroupBinding with a certificate input", func() *zds.ZeroDowntimeServiceArgs {
			a := tgbArgs()
			a.CertificateArn = pulumi.String(modeCert)
			return a
		}, "spec.loadBalancer.certificateArn", "not used with loadBalancer.kind targetGroupBinding"},
		{"alb with a VPC input", func() *zds.ZeroDowntimeServiceArgs {
			a := validArgs()
			a.VpcId = pulumi.String(modeVPC)
			return a
		}, "spec.loadBalancer.vpcId", "not used with loadBalancer.kind alb"},
		{"autoscaling minReplicas 1", func() *zds.ZeroDowntimeServiceArgs {
			a := autoscalingArgs()
			a.Autoscaling.MinReplicas = pulumi.IntRef(1)
			a.Disruption.MaxUnavailable = nil
			return a
		}, "spec.autoscaling.minReplicas", "at least 2"},
		{"deregistration delay 3601", func() *zds.ZeroDowntimeServiceArgs {
			a := nlbArgs()
			a.Timing.DeregistrationDelaySeconds = pulumi.IntRef(3601)
			return a
		}, "spec.timing.deregistrationDelaySeconds", "above the ELB maximum of 3600"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := preview.Run(func(ctx *pulumi.Context) error {
				_, err := zds.NewZeroDowntimeService(ctx, "web", tc.args())
				return err
			})
			var invalid *spec.InvalidError
			if !errors.As(err, &invalid) {
				t.Fatalf("want *spec.InvalidError, got %T: %v", err, err)
			}
			if !strings.Contains(err.Error(), tc.path+": ") || !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("error lacks %s … %q:\n%v", tc.path, tc.detail, err)
			}
			if n := len(rec.Resources()); n != 0 {
				t.Errorf("%d resources registered for invalid input, want none", n)
			}
			if verr := zds.Validate("web", tc.args()); verr == nil || verr.Error() != invalid.Error() {
				t.Errorf("Validate = %v, want the same error as the constructor", verr)
			}
		})
	}
}

// The pure core and the component agree: the registered Service and
// binding are what manifests.Build returns, with the inputs substituted.
func TestRegisteredModeObjectsMatchTheCore(t *testing.T) {
	c, rec := modeRun(t, tgbArgs())
	if c.Objects.TargetGroup == nil || c.Objects.TargetGroupBinding == nil || c.Objects.Ingress != nil {
		t.Fatalf("objects: target group %v, binding %v, ingress %v", c.Objects.TargetGroup, c.Objects.TargetGroupBinding, c.Objects.Ingress)
	}
	got := check.TargetGroupFromInputs(one(t, rec, modeTTargetGroup).Inputs)
	if *got != *c.Objects.TargetGroup {
		t.Errorf("registered target group %+v ≠ built %+v", *got, *c.Objects.TargetGroup)
	}
	if c.Objects.TargetGroup.DeregistrationDelaySeconds != c.Timing.DeregistrationDelaySeconds {
		t.Errorf("built target group delay %d ≠ D %d", c.Objects.TargetGroup.DeregistrationDelaySeconds, c.Timing.DeregistrationDelaySeconds)
	}
}

// loadBalancer.skipAwait is "there is no Ingress to await" for
// targetGroupBinding and is rejected there. An NLB has no Ingress either,
// but Pulumi does await its Service's load-balancer address: the setting
// must either reach the Service (pulumi.com/skipAwait) or be rejected, never
// be accepted and ignored.
func TestNLBSkipAwaitIsAppliedOrRejected(t *testing.T) {
	args := nlbArgs()
	args.LoadBalancer.SkipAwait = true
	rec, err := preview.Run(func(ctx *pulumi.Context) error {
		_, err := zds.NewZeroDowntimeService(ctx, "web", args)
		return err
	})
	if err != nil {
		var invalid *spec.InvalidError
		if !errors.As(err, &invalid) || !strings.Contains(invalid.Error(), "spec.loadBalancer.skipAwait") {
			t.Errorf("want the setting applied, or an error on spec.loadBalancer.skipAwait; got %v", err)
		}
		return
	}
	if got := get(one(t, rec, modeTService).Inputs, "metadata", "annotations", "pulumi.com/skipAwait"); got != "true" {
		t.Errorf("nlb with skipAwait: accepted, but the Service's pulumi.com/skipAwait = %v: Pulumi still waits for the NLB address", got)
	}
}

// An ALB listener rule allows at most three values per condition and five
// per rule (Elastic Load Balancing, "Listener rules for your Application
// Load Balancer", rule basics). Each prefix path other than "/" becomes two
// path patterns, so two such paths already need four: the spec must either
// be rejected up front or registered as rules the ALB accepts, never fail
// at deployment after the target group exists.
func TestListenerRulesStayWithinALBConditionLimits(t *testing.T) {
	for _, paths := range [][]string{{"/"}, {"/", "/api"}, {"/a", "/b"}, {"/a", "/b", "/c"}} {
		t.Run(strings.Join(paths, ","), func(t *testing.T) {
			args := tgbArgs()
			args.LoadBalancer.ListenerArn = modeListener
			args.LoadBalancer.ListenerRulePriority = pulumi.IntRef(7)
			args.LoadBalancer.Host = "web.example.com"
			args.LoadBalancer.Paths = paths
			rec, err := preview.Run(func(ctx *pulumi.Context) error {
				_, err := zds.NewZeroDowntimeService(ctx, "web", args)
				return err
			})
			if err != nil {
				var invalid *spec.InvalidError
				if !errors.As(err, &invalid) || !strings.Contains(invalid.Error(), "spec.loadBalancer.paths") {
					t.Errorf("want valid listener rules, or an error on spec.loadBalancer.paths; got %v", err)
				}
				if n := len(rec.Resources()); n != 0 {
					t.Errorf("%d resources registered for invalid input", n)
				}
				return
			}
			rules := rec.Find(modeTListenerRule)
			if len(rules) == 0 {
				t.Fatal("no listener rule")
			}
			covered := map[any]bool{}
			for _, r := range rules {
				total := 0
				conds, _ := get(r.Inputs, "conditions").([]any)
				for _, c := range conds {
					for kind, cond := range c.(map[string]any) {
						values, _ := get(cond.(map[string]any), "values").([]any)
						if len(values) > 3 {
							t.Errorf("rule %s: %s condition has %d values %v; the ALB allows 3", r.Name, kind, len(values), values)
						}
						total += len(values)
						if kind == "pathPattern" {
							for _, v := range values {
								covered[v] = true
							}
						}
					}
				}
				if total > 5 {
					t.Errorf("rule %s: %d condition values; the ALB allows 5 per rule", r.Name, total)
				}
			}
			for _, p := range paths {
				if p == "/" {
					p = "/*"
				}
				if !covered[p] {
					t.Errorf("path %s is routed by no rule", p)
				}
			}
		})
	}
}

// serviceAccount.create registers a ServiceAccount (IRSA annotation and
// all) that the Deployment waits for, runs the pods as it, and with
// podIdentity registers the EKS Pod Identity association, which the
// Deployment also waits for: EKS gives credentials only to pods created
// after it.
func TestServiceAccountAndPodIdentity(t *testing.T) {
	args := validArgs()
	args.ServiceAccount = zds.ServiceAccount{
		Create:      true,
		Annotations: map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/web"},
		PodIdentity: &zds.PodIdentity{ClusterName: "prod", RoleArn: "arn:aws:iam::123456789012:role/web"},
	}
	rec := run(t, func(ctx *pulumi.Context) error {
		_, err := zds.NewZeroDowntimeService(ctx, "web", args)
		return err
	})
	sa := one(t, rec, "kubernetes:core/v1:ServiceAccount")
	pia := one(t, rec, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
	dep := one(t, rec, "kubernetes:apps/v1:Deployment")
	modeDependsOn(t, dep, sa, pia)
	modeDependsOn(t, pia, sa)
	if got := get(sa.Inputs, "metadata", "annotations", "eks.amazonaws.com/role-arn"); got != "arn:aws:iam::123456789012:role/web" {
		t.Errorf("the service account's role annotation is %v", got)
	}
	if got := get(dep.Inputs, "spec", "template", "spec", "serviceAccountName"); got != "web" {
		t.Errorf("the pods run as %v, want the created account web", got)
	}
	for k, want := range map[string]any{"clusterName": "prod", "namespace": "shop", "serviceAccount": "web", "roleArn": "arn:aws:iam::123456789012:role/web"} {
		if pia.Inputs[k] != want {
			t.Errorf("association %s = %v, want %v", k, pia.Inputs[k], want)
		}
	}
	modeCheck(t, rec)
}
