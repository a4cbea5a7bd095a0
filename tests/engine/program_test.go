// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/components/zds"
)

// docs parses spec documents (YAML), failing the test on any problem.
func docs(t *testing.T, text string) []*specfile.Document {
	t.Helper()
	ds, problems := specfile.Parse("engine.zds.yaml", []byte(text), true)
	if len(problems) > 0 {
		t.Fatalf("spec: %v", problems)
	}
	return ds
}

// program is a Go program composing one ZeroDowntimeService per document,
// as a user's program would: an explicit Kubernetes provider passed to each
// component (it reaches every child), and the components' outputs
// exported as "<name>.<output>".
func program(kubeconfig []byte, ds []*specfile.Document, opts ...pulumi.ResourceOption) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		p, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{Kubeconfig: pulumi.String(string(kubeconfig))})
		if err != nil {
			return err
		}
		all := append(slices.Clone(opts), pulumi.Provider(p))
		for _, d := range ds {
			c, err := zds.NewZeroDowntimeService(ctx, d.Metadata.Name, &zds.ZeroDowntimeServiceArgs{ServiceSpec: d.ServiceSpec()}, all...)
			if err != nil {
				return err
			}
			for k, v := range map[string]pulumi.Input{
				"loadBalancerHostname":          c.LoadBalancerHostname,
				"preStopSleepSeconds":           c.PreStopSleepSeconds,
				"terminationGracePeriodSeconds": c.TerminationGracePeriodSeconds,
				"deregistrationDelaySeconds":    c.DeregistrationDelaySeconds,
				"awaitTimeoutSeconds":           c.AwaitTimeoutSeconds,
				"deploymentName":                c.DeploymentName,
				"namespace":                     c.NamespaceName,
			} {
				ctx.Export(d.Metadata.Name+"."+k, v)
			}
		}
		return nil
	}
}

func kubeconfig(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(cp.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// child is a component's child as the engine's state or the mock monitor
// records it: type, name, parent's type and name, what it depends on.
type child struct {
	URN, Parent string
	DependsOn   []string
}

// mockChildren runs the program under the SDK's mock monitor (as the
// component's unit tests do) and returns every resource it registers but
// the stack and providers, keyed by URN.
func mockChildren(t *testing.T, stack string, prog pulumi.RunFunc) map[string]child {
	t.Helper()
	rec, err := preview.Run(prog, preview.Stack("zds-engine", stack))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]child{}
	for _, r := range rec.Resources() {
		if r.Type == "pulumi:pulumi:Stack" || strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		parent := r.Parent
		if strings.Contains(parent, "pulumi:pulumi:Stack") {
			parent = ""
		}
		out[r.URN] = child{URN: r.URN, Parent: parent, DependsOn: r.DependsOn}
	}
	return out
}

// stateChildren reads the same from the stack's state: every resource but
// the stack and providers.
func stateChildren(t *testing.T, ctx context.Context, s auto.Stack) map[string]child {
	t.Helper()
	dep := exportState(t, ctx, s)
	out := map[string]child{}
	for _, r := range dep.Resources {
		if r.Type == "pulumi:pulumi:Stack" || strings.HasPrefix(string(r.Type), "pulumi:providers:") {
			continue
		}
		parent := string(r.Parent)
		if strings.Contains(parent, "pulumi:pulumi:Stack") {
			parent = ""
		}
		var deps []string
		for _, d := range r.Dependencies {
			deps = append(deps, string(d))
		}
		for _, ds := range r.PropertyDependencies {
			for _, d := range ds {
				deps = append(deps, string(d))
			}
		}
		sort.Strings(deps)
		deps = slices.Compact(deps)
		out[string(r.URN)] = child{URN: string(r.URN), Parent: parent, DependsOn: deps}
	}
	return out
}

func exportState(t *testing.T, ctx context.Context, s auto.Stack) apitype.DeploymentV3 {
	t.Helper()
	raw, err := s.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var dep apitype.DeploymentV3
	if err := json.Unmarshal(raw.Deployment, &dep); err != nil {
		t.Fatal(err)
	}
	return dep
}

// sameChildren compares the engine's children with the mock monitor's.
func sameChildren(t *testing.T, real, mock map[string]child) {
	t.Helper()
	keys := func(m map[string]child) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	if !reflect.DeepEqual(keys(real), keys(mock)) {
		t.Fatalf("the engine's resources are not the mock run's:\n engine: %s\n mocks:  %s", strings.Join(keys(real), "\n         "), strings.Join(keys(mock), "\n         "))
	}
	for urn, m := range mock {
		r := real[urn]
		if r.Parent != m.Parent {
			t.Errorf("%s: parent %q under the engine, %q under mocks", urn, r.Parent, m.Parent)
		}
		if strings.Join(r.DependsOn, " ") != strings.Join(m.DependsOn, " ") {
			t.Errorf("%s: depends on %v under the engine, %v under mocks", urn, r.DependsOn, m.DependsOn)
		}
	}
}

// liveEqualsRender checks that every object `zds render` writes for the
// documents is live, and holds every field render wrote with its value
// (the API server adds defaults, status and metadata; nothing zds wrote
// may differ).
func liveEqualsRender(t *testing.T, ctx context.Context, ds []*specfile.Document) {
	t.Helper()
	objs, err := render.Manifests(ds)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		u := &unstructured.Unstructured{Object: o}
		live, err := get(ctx, u)
		if err != nil {
			t.Errorf("%s %s/%s: %v", u.GetKind(), u.GetNamespace(), u.GetName(), err)
			continue
		}
		for _, d := range subsetDiff(o, live.Object, "") {
			t.Errorf("%s %s/%s: %s", u.GetKind(), u.GetNamespace(), u.GetName(), d)
		}
	}
}

func get(ctx context.Context, u *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	gvk := u.GroupVersionKind()
	m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	if u.GetNamespace() != "" {
		return dyn.Resource(m.Resource).Namespace(u.GetNamespace()).Get(ctx, u.GetName(), metav1.GetOptions{})
	}
	return dyn.Resource(m.Resource).Get(ctx, u.GetName(), metav1.GetOptions{})
}

// subsetDiff lists the fields of want that got lacks or holds with another
// value. Lists are compared element by element and must have equal length.
func subsetDiff(want, got any, path string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %v, want an object", path, got)}
		}
		var out []string
		for k, v := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing, want %v", path, k, v))
				continue
			}
			out = append(out, subsetDiff(v, gv, path+"."+k)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %v, want %v", path, got, want)}
		}
		var out []string
		for i := range w {
			out = append(out, subsetDiff(w[i], g[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) {
			return []string{fmt.Sprintf("%s: %v, want %v", path, got, want)}
		}
		return nil
	}
}

// existingNamespace creates a namespace the way a platform team would,
// outside the program, so zds only labels it.
func existingNamespace(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"team": "platform"}}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// changes counts an operation's resource changes by kind of change, without
// the "same" ones.
func changes(m *map[string]int) map[string]int {
	out := map[string]int{}
	if m == nil {
		return out
	}
	for k, v := range *m {
		if k != "same" && v != 0 {
			out[k] = v
		}
	}
	return out
}
