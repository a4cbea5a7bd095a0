// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package manifests

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
)

// Kinds of the items of a service, as Items names them. NamespacePatch is
// the label on a namespace zds does not create (a Namespace object applied
// as a patch).
const (
	KindNamespace               = "Namespace"
	KindNamespacePatch          = "NamespacePatch"
	KindService                 = "Service"
	KindIngress                 = "Ingress"
	KindTargetGroupBinding      = "TargetGroupBinding"
	KindPodDisruptionBudget     = "PodDisruptionBudget"
	KindDeployment              = "Deployment"
	KindHorizontalPodAutoscaler = "HorizontalPodAutoscaler"
	KindServiceAccount          = "ServiceAccount"
	KindGatePolicy              = "ValidatingAdmissionPolicy"
	KindGatePolicyBinding       = "ValidatingAdmissionPolicyBinding"
)

// Item is one object of a service and the items of the same service that
// must exist before it.
type Item struct {
	Kind   string
	Object any // a Kubernetes API object
	After  []string
}

// Items returns the service's objects in registration order, each with what
// it waits for. This is the one definition of the apply order that makes
// the readiness gate work; the Pulumi component turns After into DependsOn,
// and the YAML writer into a sequence (ApplyOrder):
//
//   - the namespace label first: the controller's webhook injects the gate
//     only into pods created in a labelled namespace;
//   - the Service, then what binds it to a target group (the Ingress, or the
//     TargetGroupBinding; with nlb the Service itself);
//   - the PodDisruptionBudget, so no eviction finds the pods unprotected;
//   - the ServiceAccount (when created), which pods must find when they
//     are created;
//   - the admission policy requiring the gate and its binding (when
//     loadBalancer.requireReadinessGate), before any pod is created;
//   - the Deployment after all of them: its pods must be created once the
//     binding exists, or they get no gate;
//   - the HorizontalPodAutoscaler once it has a Deployment to scale.
func (o *Objects) Items() []Item {
	ns, nsObj := KindNamespace, any(o.Namespace)
	if o.Namespace == nil {
		ns, nsObj = KindNamespacePatch, o.NamespacePatch
	}
	items := []Item{{Kind: ns, Object: nsObj}, {Kind: KindService, Object: o.Service, After: []string{ns}}}
	bound := []string{ns, KindService}
	if o.Ingress != nil {
		items = append(items, Item{Kind: KindIngress, Object: o.Ingress, After: []string{ns, KindService}})
		bound = append(bound, KindIngress)
	}
	if o.TargetGroupBinding != nil {
		items = append(items, Item{Kind: KindTargetGroupBinding, Object: o.TargetGroupBinding, After: []string{ns, KindService}})
		bound = append(bound, KindTargetGroupBinding)
	}
	items = append(items, Item{Kind: KindPodDisruptionBudget, Object: o.PDB, After: []string{ns}})
	before := append(bound, KindPodDisruptionBudget)
	if o.ServiceAccount != nil {
		items = append(items, Item{Kind: KindServiceAccount, Object: o.ServiceAccount, After: []string{ns}})
		before = append(before, KindServiceAccount)
	}
	if o.GatePolicy != nil {
		items = append(items,
			Item{Kind: KindGatePolicy, Object: o.GatePolicy},
			Item{Kind: KindGatePolicyBinding, Object: o.GatePolicyBinding, After: []string{KindGatePolicy}})
		before = append(before, KindGatePolicy, KindGatePolicyBinding)
	}
	items = append(items, Item{Kind: KindDeployment, Object: o.Deployment, After: before})
	if o.HPA != nil {
		items = append(items, Item{Kind: KindHorizontalPodAutoscaler, Object: o.HPA, After: []string{KindDeployment}})
	}
	return items
}

// kindRank orders objects that wait for nothing still pending the way Helm
// installs them (with zds's admission policy, which Helm does not rank,
// before any workload), so that an apply order is the same on every run.
var kindRank = []string{
	KindNamespace, KindNamespacePatch, KindGatePolicy, KindGatePolicyBinding, KindPodDisruptionBudget, KindServiceAccount, "Secret", "ConfigMap",
	KindService, KindTargetGroupBinding, KindDeployment, KindHorizontalPodAutoscaler, KindIngress,
}

// KindRank is the position of kind in Helm's install order; kinds it does
// not know come last.
func KindRank(kind string) int {
	if i := slices.Index(kindRank, kind); i >= 0 {
		return i
	}
	return len(kindRank)
}

// ApplyOrder returns the indexes 0..n-1 in an order where each comes after
// every index deps(i) names, taking at each step the first ready one by less
// (ties by index): the order an engine creates resources in, made
// deterministic. Indexes in a cycle, which Pulumi cannot have, come last in
// the order less gives them.
func ApplyOrder(n int, deps func(i int) []int, less func(i, j int) int) []int {
	pending := make([]int, n)
	for i := range pending {
		pending[i] = i
	}
	slices.SortStableFunc(pending, func(i, j int) int { return cmp.Or(less(i, j), cmp.Compare(i, j)) })
	done := make([]bool, n)
	out := make([]int, 0, n)
	for len(pending) > 0 {
		next := slices.IndexFunc(pending, func(i int) bool {
			for _, d := range deps(i) {
				if d >= 0 && d < n && !done[d] {
					return false
				}
			}
			return true
		})
		if next < 0 {
			return append(out, pending...)
		}
		i := pending[next]
		out, done[i] = append(out, i), true
		pending = slices.Delete(pending, next, next+1)
	}
	return out
}

// ObjectKey is an object's namespace/name in its JSON form: how ties in an
// apply order are broken, by what a reader sees in the manifests.
func ObjectKey(m map[string]any) string {
	meta, _ := m["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	return ns + "/" + name
}

// ToMap is an object as the Kubernetes API's JSON form, without status
// and the nulls the API types marshal (creationTimestamp: null): what both
// sinks, the YAML writer and the Pulumi registration, are given.
func ToMap(obj any) (map[string]any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding %T: %w", obj, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decoding %T: %w", obj, err)
	}
	delete(m, "status")
	return prune(m).(map[string]any), nil
}

// prune drops nulls. Empty maps stay: some mean something (emptyDir: {}).
func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			e = prune(e)
			if e == nil {
				delete(v, k)
				continue
			}
			v[k] = e
		}
		return v
	case []any:
		for i := range v {
			v[i] = prune(v[i])
		}
		return v
	}
	return v
}
