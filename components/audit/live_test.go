// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit_test

import (
	"context"
	"os"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"

	"github.com/zerodowntime/zds/components/audit"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"
	"slices"
)

// fromFile decodes one object of a testdata file into its Go type.
func fromFile[T any](t *testing.T, path, kind string) *T {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	objs, _ := audit.Read(path, data)
	for _, o := range objs {
		if o.Kind == kind {
			b, _ := yaml.Marshal(o.Raw)
			var v T
			if err := yaml.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			return &v
		}
	}
	t.Fatalf("%s holds no %s", path, kind)
	return nil
}

// Wiring of the live reader (a fake clientset): the objects are read as
// from files, and the pods and budget status add what only a cluster
// shows.
func TestLiveFindsGatelessPodsAndStuckBudgets(t *testing.T) {
	const path = "testdata/alb-instance.yaml"
	ing := fromFile[networkingv1.Ingress](t, path, "Ingress")
	ing.Annotations["alb.ingress.kubernetes.io/target-type"] = "ip"
	d := fromFile[appsv1.Deployment](t, path, "Deployment")
	pdb := fromFile[policyv1.PodDisruptionBudget](t, path, "PodDisruptionBudget")
	pdb.Status = policyv1.PodDisruptionBudgetStatus{ExpectedPods: 4, CurrentHealthy: 3, DesiredHealthy: 3, DisruptionsAllowed: 0}
	pod := func(name string, gated bool) runtime.Object {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Labels: map[string]string{"app": "web"}}}
		if gated {
			p.Spec.ReadinessGates = []corev1.PodReadinessGate{{ConditionType: "target-health.elbv2.k8s.aws/k8s-shop-web-0123456789"}}
		}
		return p
	}
	cs := fake.NewClientset(
		fromFile[corev1.Namespace](t, path, "Namespace"), d,
		fromFile[corev1.Service](t, path, "Service"), ing, pdb,
		pod("web-a", true), pod("web-b", false), pod("web-c", false),
	)
	live, err := audit.FromCluster(context.Background(), cs, nil, "shop")
	if err != nil {
		t.Fatal(err)
	}
	r := audit.CheckLive(live, audit.Options{})
	var got []string
	for _, f := range r.Findings() {
		got = append(got, f.Severity.String()+" "+f.Rule+" "+f.Object+" "+f.Field)
		if f.File != "" {
			t.Errorf("a live finding names a file: %+v", f)
		}
	}
	want := []string{
		"error 6 Deployment/web spec.template",
		"warning budget PodDisruptionBudget/web status.disruptionsAllowed",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), describe(r))
	}
	if msg := r.Findings()[0].Message; !strings.Contains(msg, "web-b, web-c") || !strings.Contains(msg, "kubectl rollout restart deployment/web -n shop") {
		t.Errorf("message: %s", msg)
	}
}

// zds's own objects, live: the admission policy that requires the gate is
// read from the cluster, so minReadySeconds 0 is no finding; an identity
// that may not list policies, or a cluster without the policy, gets the
// warning that a controller outage is undefended.
func TestLiveReadsTheGatePolicy(t *testing.T) {
	r, err := service.Resolve("web", spec.ServiceSpec{Namespace: "shop", CreateNamespace: true, Image: "ghcr.io/acme/web:1.4.2", App: spec.App{MaxRequestSeconds: 15}}, spec.Inputs{})
	if err != nil {
		t.Fatal(err)
	}
	o := service.Build(r)
	objects := []runtime.Object{o.Namespace, o.Service, o.Ingress, o.PDB, o.Deployment}
	for _, tc := range []struct {
		name   string
		extra  []runtime.Object
		forbid bool
		want   string
	}{
		{"with the policy", []runtime.Object{o.GatePolicy, o.GatePolicyBinding}, false, ""},
		{"without it", nil, false, "warning registration Deployment/web spec.minReadySeconds"},
		{"not allowed to list it", []runtime.Object{o.GatePolicy, o.GatePolicyBinding}, true, "warning registration Deployment/web spec.minReadySeconds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset(append(slices.Clone(objects), tc.extra...)...)
			if tc.forbid {
				cs.PrependReactor("list", "validatingadmissionpolicies", func(k8stesting.Action) (bool, runtime.Object, error) {
					return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "admissionregistration.k8s.io", Resource: "validatingadmissionpolicies"}, "", nil)
				})
			}
			live, err := audit.FromCluster(context.Background(), cs, nil, "shop")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range audit.CheckLive(live, audit.Options{}).Findings() {
				got = append(got, f.Severity.String()+" "+f.Rule+" "+f.Object+" "+f.Field)
			}
			if strings.Join(got, "\n") != tc.want {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
		})
	}
}
