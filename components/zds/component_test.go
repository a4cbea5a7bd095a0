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
	if n := len(rec.Resources()); n != 6 {
		t.Errorf("got %d registrations, want the component and 5 children", n)
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
	if get(spec, "minReadySeconds") != float64(tm.MinReadySeconds) || get(spec, "progressDeadlineSeconds") != float64(tm.ProgressDeadlineSeconds) {
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
		"spec.timing.terminationGracePeriodSeconds: Invalid value: 30: rule 4 (G > P + S): terminationGracePeriodSeconds (30) must exceed preStopSleepSeconds (26, once raised as asked) + app.shutdownSeconds (15) = 41",
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
