// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zerodowntime/zds/components/audit"
	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/internal/spectest"
)

// rendered is what zds render writes for spec files.
func rendered(t *testing.T, paths ...string) []byte {
	t.Helper()
	docs, err := specfile.Load(paths...)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := render.Manifests(docs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := render.YAML(ms)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func report(t *testing.T, name string, data []byte, opts audit.Options) *audit.Report {
	t.Helper()
	objs, problems := audit.Read(name, data)
	if len(problems) > 0 {
		t.Fatalf("%s: %v", name, problems)
	}
	return audit.Check(objs, opts)
}

func describe(r *audit.Report) string {
	var b strings.Builder
	for _, f := range r.Findings() {
		b.WriteString(f.Location() + " " + f.Severity.String() + " rule " + f.Rule + " " + f.Object + " " + f.Field + ": " + f.Message + "\n")
	}
	return b.String()
}

// Everything zds render emits passes zds check with no finding at all,
// and nothing is assumed: the objects carry every fact.
func TestZdsOutputHasNoFindings(t *testing.T) {
	files, err := filepath.Glob("../../examples/*/*.zds.yaml")
	if err != nil || len(files) < 6 {
		t.Fatalf("%v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f)), func(t *testing.T) {
			r := report(t, f, rendered(t, f), audit.Options{})
			if len(r.Services) == 0 {
				t.Fatal("no service found")
			}
			if got := describe(r); got != "" {
				t.Errorf("findings on zds's own output:\n%s", got)
			}
			for _, s := range r.Services {
				if len(s.Assumed) > 0 {
					t.Errorf("%s: assumed %v", s.Name, s.Assumed)
				}
				if s.Mode == "none" {
					t.Errorf("%s: no load balancer found", s.Name)
				}
			}
		})
	}
}

func finding(f audit.Finding) string {
	return f.Severity.String() + " " + f.Rule + " " + f.Object + " " + f.Field
}

// Real-world-shaped manifests, each with exactly its expected findings:
// the field reports' configurations, the shapes generic Helm app charts
// emit, ALB instance targets, an NLB with a short preStop, a
// TargetGroupBinding, a budget selecting nothing and a shared-ALB group.
func TestRealWorldManifests(t *testing.T) {
	const ctr = "spec.template.spec.containers[0]"
	cases := map[string][]string{
		"k6-final.yaml": {
			"error 2 Deployment/app " + ctr + ".lifecycle.preStop",
			"error 3 Deployment/app " + ctr + ".lifecycle.preStop",
			"error 3 Ingress/app metadata.annotations[alb.ingress.kubernetes.io/target-group-attributes]",
			"error 4 Deployment/app spec.template.spec.terminationGracePeriodSeconds",
			"error 7 Ingress/app metadata.annotations[alb.ingress.kubernetes.io/healthcheck-path]",
			"warning budget Deployment/app ",
			"warning 6 Deployment/app metadata.namespace",
			"warning registration Deployment/app spec.minReadySeconds",
			"warning exec-sleep Deployment/app " + ctr + ".lifecycle.preStop.exec",
			"info readiness Deployment/app " + ctr + ".readinessProbe.periodSeconds",
			"info startup Deployment/app " + ctr + ".startupProbe.httpGet.path",
		},
		"k6-plain.yaml": {
			"error 6 Deployment/app spec.strategy.rollingUpdate.maxUnavailable",
			"error 2 Deployment/app " + ctr + ".lifecycle",
			"error 3 Deployment/app " + ctr + ".lifecycle.preStop",
			"error 3 Ingress/app-v1 metadata.annotations[alb.ingress.kubernetes.io/target-group-attributes]",
			"error 4 Deployment/app spec.template.spec.terminationGracePeriodSeconds",
			"error 7 Deployment/app " + ctr + ".readinessProbe",
			"error 6 Ingress/app-v1 metadata.annotations[alb.ingress.kubernetes.io/target-type]",
			"error api PodDisruptionBudget/app apiVersion",
			"error api Ingress/app apiVersion",
			"warning 6 Deployment/app metadata.namespace",
			"warning registration Deployment/app spec.minReadySeconds",
			"warning budget PodDisruptionBudget/app spec.minAvailable",
		},
		"helm-app-template.yaml": {
			"error 6 Deployment/web spec.strategy",
			"error 2 Deployment/web " + ctr + ".lifecycle",
			"error 3 Deployment/web " + ctr + ".lifecycle.preStop",
			"error 3 Ingress/web metadata.annotations[alb.ingress.kubernetes.io/target-group-attributes]",
			"error 4 Deployment/web spec.template.spec.terminationGracePeriodSeconds",
			"error 7 Deployment/web " + ctr + ".readinessProbe",
			"warning budget Deployment/web ",
			"warning 6 Deployment/web metadata.namespace",
			"warning registration Deployment/web spec.minReadySeconds",
			"warning liveness Deployment/web " + ctr + ".livenessProbe",
		},
		"alb-instance.yaml": {
			"error 6 Ingress/web metadata.annotations[alb.ingress.kubernetes.io/target-type]",
		},
		"nlb-short-prestop.yaml": {
			"error 1 Service/ledger metadata.annotations[service.beta.kubernetes.io/aws-load-balancer-target-group-attributes]",
			"error 2 Deployment/ledger " + ctr + ".lifecycle.preStop.sleep.seconds",
			"error 3 Deployment/ledger " + ctr + ".lifecycle.preStop.sleep.seconds",
			"error 4 Deployment/ledger spec.template.spec.terminationGracePeriodSeconds",
			"warning registration Deployment/ledger spec.minReadySeconds",
		},
		"target-group-binding.yaml": {
			"info 1 TargetGroupBinding/pay ",
			"warning registration Deployment/pay spec.minReadySeconds",
		},
		"budget-selects-nothing.yaml": {
			"warning budget Deployment/web ",
			"warning budget PodDisruptionBudget/web spec.selector",
			"warning registration Deployment/web spec.minReadySeconds",
		},
		"shared-alb-group.yaml": {
			"error 8 Deployment/api metadata.annotations[zds.dev/keep-alive-timeout-seconds]",
			"warning registration Deployment/api spec.minReadySeconds",
			"warning registration Deployment/storefront spec.minReadySeconds",
		},
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) != len(cases) {
		t.Errorf("%d testdata files, %d cases", len(files), len(cases))
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			r := report(t, name, data, audit.Options{})
			var got []string
			for _, f := range r.Findings() {
				got = append(got, finding(f))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("findings:\n  got  %s\n  want %s\n%s", strings.Join(got, "\n       "), strings.Join(want, "\n       "), describe(r))
			}
		})
	}
}

// zds render's output for random valid services (ALB and NLB, every shape
// the spec generator makes: pins at the rules' edges, exec or native
// preStop, autoscaling, sidecars, init containers) has no finding either.
func TestRandomValidSpecsHaveNoFindings(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 14))
	services := 0
	for i := range 800 {
		name, s := spectest.Named(rng, i, spectest.Random(rng, service.KindALB, service.KindNLB))
		s.CreateNamespace = true
		r, err := service.Resolve(name, s, spec.Inputs{})
		if err != nil {
			continue
		}
		ms, err := render.Manifests([]*specfile.Document{{Document: spec.Document{APIVersion: spec.APIVersion, Kind: spec.Kind,
			Metadata: spec.Metadata{Name: name, Namespace: s.Namespace}, Spec: s}, File: "random.zds.yaml", Resolved: r}})
		if err != nil {
			t.Fatal(err)
		}
		b, err := render.YAML(ms)
		if err != nil {
			t.Fatal(err)
		}
		rep := report(t, "random.yaml", b, audit.Options{})
		services++
		if got := describe(rep); got != "" {
			t.Fatalf("findings on zds's output for a random valid spec:\n%s\n%s", got, b)
		}
	}
	if services < 300 {
		t.Errorf("only %d valid random services", services)
	}
}

// zds.dev/check-ignore on an object answers the rules it lists for that
// object, as kube-score's ignore annotation does.
func TestCheckIgnoreAnnotation(t *testing.T) {
	data, err := os.ReadFile("testdata/k6-final.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ignored := strings.Replace(string(data), "  name: app\n  namespace: shop\nspec:\n  replicas: 8",
		"  name: app\n  namespace: shop\n  annotations: {zds.dev/check-ignore: \"exec-sleep, budget\"}\nspec:\n  replicas: 8", 1)
	if ignored == string(data) {
		t.Fatal("the Deployment was not annotated")
	}
	before := report(t, "k6-final.yaml", data, audit.Options{}).Findings()
	after := report(t, "k6-final.yaml", []byte(ignored), audit.Options{}).Findings()
	if len(after) != len(before)-2 {
		t.Errorf("%d findings, then %d with two rules ignored", len(before), len(after))
	}
	for _, f := range after {
		if f.Rule == "exec-sleep" || f.Rule == "budget" {
			t.Errorf("ignored rule reported: %s", finding(f))
		}
	}
}
