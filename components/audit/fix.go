// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit

import (
	"encoding/json"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/zerodowntime/zds/components/spec"
)

// Fix is the smallest change that clears a finding: a strategic-merge
// patch of one object (what `kubectl patch` applies by default, and what
// pasting its fields into the manifest does), or a new object to add.
type Fix struct {
	// Kind, Name and Namespace name the object to patch or create.
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	// APIVersion is the object's, for the YAML snippet.
	APIVersion string `json:"apiVersion"`
	// Patch is the strategic-merge patch; Create is set instead for an
	// object to add.
	Patch  map[string]any `json:"patch,omitempty"`
	Create map[string]any `json:"create,omitempty"`
}

// YAML is the fix as a snippet to paste: the fields to set in the
// object's manifest (with its apiVersion, kind and name), or the whole
// object to add.
func (f *Fix) YAML() string {
	obj := f.Create
	if obj == nil {
		obj = map[string]any{"apiVersion": f.APIVersion, "kind": f.Kind, "metadata": map[string]any{"name": f.Name}}
		if f.Namespace != "" {
			obj["metadata"].(map[string]any)["namespace"] = f.Namespace
		}
		for k, v := range f.Patch {
			if k == "metadata" {
				for mk, mv := range v.(map[string]any) {
					obj["metadata"].(map[string]any)[mk] = mv
				}
				continue
			}
			obj[k] = v
		}
	}
	b, err := yaml.Marshal(obj)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// Command is the fix as a kubectl command for a live object.
func (f *Fix) Command() string {
	ns := ""
	if f.Namespace != "" {
		ns = " -n " + f.Namespace
	}
	if f.Create != nil {
		return "kubectl apply" + ns + " -f - <<'EOF'\n" + f.YAML() + "EOF"
	}
	b, _ := json.Marshal(f.Patch)
	return fmt.Sprintf("kubectl patch %s %s%s -p '%s'", strings.ToLower(f.Kind), f.Name, ns, b)
}

func patchFix(o *Object, patch map[string]any) *Fix {
	return &Fix{Kind: o.Kind, Name: o.Name, Namespace: o.Namespace, APIVersion: o.APIVersion, Patch: patch}
}

func annotationPatch(key, value string) map[string]any {
	return map[string]any{"metadata": map[string]any{"annotations": map[string]any{key: value}}}
}

// settingsObject is the object whose annotation sets a target group's
// setting: the backend Service when it holds the key (the controller reads
// it first), else the Ingress or Service that makes the target group.
func (r *run) settingsObject(tg TargetGroup, key string) *Object {
	if tg.Mode == "alb" {
		if _, ok := tg.Service.Annotations[key]; ok {
			for _, svc := range r.s.Services {
				if svc.V == tg.Service {
					return svc.O
				}
			}
		}
	}
	return tg.Via
}

// annotationFix sets one of a target group's annotations.
func (r *run) annotationFix(tg TargetGroup, suffix, value string) ([]string, *Fix) {
	if tg.keys.prefix == "" {
		return nil, nil
	}
	key := tg.keys.prefix + "/" + suffix
	o := r.settingsObject(tg, key)
	return []string{"metadata", "annotations", key}, patchFix(o, annotationPatch(key, value))
}

func (r *run) targetTypeFix(tg TargetGroup) ([]string, *Fix) {
	if tg.keys.prefix != "" {
		return r.annotationFix(tg, tg.keys.targetType, "ip")
	}
	return []string{"spec", "targetType"}, patchFix(tg.Via, map[string]any{"spec": map[string]any{"targetType": "ip"}})
}

// deregFix sets deregistration_delay.timeout_seconds, keeping the other
// target group attributes as written.
func (r *run) deregFix(tg TargetGroup, seconds int) ([]string, *Fix) {
	if tg.keys.prefix == "" {
		return nil, nil
	}
	key := tg.keys.prefix + "/" + tg.keys.attributes
	o := r.settingsObject(tg, key)
	ann := map[string]string{}
	if meta, ok := o.Raw["metadata"].(map[string]any); ok {
		if a, ok := meta["annotations"].(map[string]any); ok {
			for k, v := range a {
				ann[k], _ = v.(string)
			}
		}
	}
	var kept []string
	for _, kv := range strings.Split(ann[key], ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" || strings.HasPrefix(kv, "deregistration_delay.timeout_seconds=") {
			continue
		}
		kept = append(kept, kv)
	}
	kept = append(kept, fmt.Sprintf("deregistration_delay.timeout_seconds=%d", seconds))
	return []string{"metadata", "annotations", key}, patchFix(o, annotationPatch(key, strings.Join(kept, ",")))
}

// preStopFix sets the app container's preStop to the native sleep action
// (removing an exec hook, a handler has one action).
func (r *run) preStopFix(seconds int) *Fix {
	preStop := map[string]any{"sleep": map[string]any{"seconds": seconds}}
	if l := r.ctr.Lifecycle; l != nil && l.PreStop != nil {
		if l.PreStop.Exec != nil {
			preStop["exec"] = nil
		}
		if l.PreStop.HTTPGet != nil {
			preStop["httpGet"] = nil
		}
	}
	return patchFix(r.s.Deployment.O, podPatch(map[string]any{
		"containers": []any{map[string]any{"name": r.ctr.Name, "lifecycle": map[string]any{"preStop": preStop}}},
	}))
}

func (r *run) graceFix(seconds int) *Fix {
	return patchFix(r.s.Deployment.O, podPatch(map[string]any{"terminationGracePeriodSeconds": seconds}))
}

func podPatch(podSpec map[string]any) map[string]any {
	return map[string]any{"spec": map[string]any{"template": map[string]any{"spec": podSpec}}}
}

func labelFix(ns string) *Fix {
	return &Fix{APIVersion: "v1", Kind: "Namespace", Name: ns,
		Patch: map[string]any{"metadata": map[string]any{"labels": map[string]any{spec.ReadinessGateLabel: spec.ReadinessGateValue}}}}
}

// budgetFix is a budget selecting the Deployment's pods, one at a time:
// a new one, or the Deployment's namesake whose selector misses the pods
// (a typo), its selector replaced.
func (r *run) budgetFix() *Fix {
	d := r.s.Deployment
	sel := map[string]any{}
	if d.V.Spec.Selector != nil {
		b, _ := json.Marshal(d.V.Spec.Selector)
		_ = json.Unmarshal(b, &sel)
	}
	for _, pdb := range r.in.pdbs {
		if pdb.V.Namespace == d.V.Namespace && pdb.V.Name == d.V.Name {
			sel["$patch"] = "replace"
			return patchFix(pdb.O, map[string]any{"spec": map[string]any{"selector": sel}})
		}
	}
	meta := map[string]any{"name": d.V.Name}
	if d.V.Namespace != "" {
		meta["namespace"] = d.V.Namespace
	}
	return &Fix{APIVersion: "policy/v1", Kind: "PodDisruptionBudget", Name: d.V.Name, Namespace: d.V.Namespace,
		Create: map[string]any{
			"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta,
			"spec": map[string]any{"maxUnavailable": 1, "selector": sel, "unhealthyPodEvictionPolicy": "AlwaysAllow"},
		}}
}
