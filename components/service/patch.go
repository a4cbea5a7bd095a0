// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/zerodowntime/zds/components/check"
	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/podsecurity"
	"github.com/zerodowntime/zds/components/spec"
)

// applyPatches applies the spec's strategic-merge patches to the built
// objects, in order, and re-checks every rule on the result with package
// check: the escape hatch for a field zds does not model can never break
// the chain. It returns every problem, each on its patch's path.
func applyPatches(r *spec.Resolved, o *manifests.Objects) field.ErrorList {
	if len(r.Spec.Patches) == 0 {
		return nil
	}
	var errs field.ErrorList
	root := field.NewPath("spec", "patches")
	built := containerNames(o)
	// What zds explain describes, read back before any patch and after
	// each one: a patch may not change it (see unchanged).
	described := []check.Chain{readBack(o)}
	for i, p := range r.Spec.Patches {
		pp := root.Index(i)
		target := patchTarget(o, p.Kind)
		if target == nil {
			errs = append(errs, field.NotFound(pp.Child("kind"), p.Kind))
			errs[len(errs)-1].Detail = "this service has no " + p.Kind + ": patch one of the objects it creates"
			continue
		}
		if err := patchInto(target, p.Patch); err != nil {
			errs = append(errs, field.Forbidden(pp.Child("patch"), err.Error()))
			continue
		}
		described = append(described, readBack(o))
		// A strategic-merge patch matches containers by name: a name that
		// matches none adds a container, without an image unless the
		// patch gives one, which the API server refuses (#21: a typo in
		// the README's own example).
		if p.Kind == "Deployment" && o.Deployment != nil {
			for _, msg := range apiRefusals(o.Deployment) {
				errs = append(errs, field.Forbidden(pp.Child("patch"), msg+": the API server refuses such a Deployment; change the patch"))
			}
			for _, c := range slices.Concat(o.Deployment.Spec.Template.Spec.InitContainers, o.Deployment.Spec.Template.Spec.Containers) {
				if !built[c.Name] && c.Image == "" {
					errs = append(errs, field.Invalid(pp.Child("patch"), c.Name, fmt.Sprintf(
						"adds a container %q without an image: a patch reaches a container by its name (%s); fix the name, or give the new container an image", c.Name, strings.Join(sortedNames(built), ", "))))
				}
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	errs = unchanged(root, described)
	errs = append(errs, podSecurity(r, o)...)
	_, violations := check.Objects(o)
	for _, v := range violations {
		kind, _, _ := strings.Cut(v.Object, "/")
		at := spec.PatchPath(r.Spec.Patches, kind)
		errs = append(errs, field.Forbidden(at, fmt.Sprintf("the patched objects break rule %s (%s: %s): change or remove the patch", v.Rule, v.Object, v.Detail)))
	}
	return errs
}

// readBack is the chain package check reads from the objects (whatever
// rule they break).
func readBack(o *manifests.Objects) check.Chain {
	ch, _ := check.Objects(o)
	return ch
}

// explained is each value zds explain describes that the objects hold,
// with the spec field that sets it ("" when zds derives it and no field
// pins it).
var explained = []struct {
	what, set string
	of        func(check.Chain) any
}{
	{"the load balancer", "spec.loadBalancer", func(c check.Chain) any { return c.LoadBalancer }},
	{"the deregistration delay (D)", "spec.timing.deregistrationDelaySeconds", func(c check.Chain) any { return c.DeregistrationDelaySeconds }},
	{"the preStop sleep (P)", "spec.timing.preStopSleepSeconds", func(c check.Chain) any { return c.PreStopSleepSeconds }},
	{"the grace period (G)", "spec.timing.terminationGracePeriodSeconds", func(c check.Chain) any { return c.TerminationGracePeriodSeconds }},
	{"the longest request (R)", "spec.app.maxRequestSeconds", func(c check.Chain) any { return c.MaxRequestSeconds }},
	{"the app's shutdown (S)", "spec.app.shutdownSeconds", func(c check.Chain) any { return c.ShutdownSeconds }},
	{"the app's start-up", "spec.app.startupSeconds", func(c check.Chain) any { return c.StartupSeconds }},
	{"the propagation budget (L)", "spec.loadBalancer.propagationSeconds", func(c check.Chain) any { return c.PropagationSeconds }},
	{"the load balancer's idle timeout", "spec.loadBalancer.idleTimeoutSeconds", func(c check.Chain) any { return c.IdleTimeoutSeconds }},
	{"the app's keep-alive timeout", "spec.app.keepAliveTimeoutSeconds", func(c check.Chain) any {
		if c.KeepAliveTimeoutSeconds == nil {
			return "unset"
		}
		return *c.KeepAliveTimeoutSeconds
	}},
	{"the health check's interval", "spec.healthCheck.intervalSeconds", func(c check.Chain) any { return c.HealthCheckIntervalSeconds }},
	{"the health check's unhealthy threshold", "spec.healthCheck.unhealthyThreshold", func(c check.Chain) any { return c.UnhealthyThreshold }},
	{"the health check's path", "spec.healthCheck.path", func(c check.Chain) any { return c.HealthCheckPath }},
	{"replicas", "spec.replicas", func(c check.Chain) any { return c.Replicas }},
	{"maxSurge", "spec.rollout.maxSurge", func(c check.Chain) any { return c.MaxSurge }},
	{"minReadySeconds", "", func(c check.Chain) any { return c.MinReadySeconds }},
	{"progressDeadlineSeconds", "", func(c check.Chain) any { return c.ProgressDeadlineSeconds }},
	{"the readiness probe's period", "", func(c check.Chain) any { return c.ReadinessPeriodSeconds }},
	{"the readiness probe's failure threshold", "", func(c check.Chain) any { return c.ReadinessFailureThreshold }},
	{"the startup probe's period", "", func(c check.Chain) any { return c.StartupPeriodSeconds }},
	{"the startup probe's failure threshold", "", func(c check.Chain) any { return c.StartupFailureThreshold }},
}

// unchanged refuses a patch that changes what zds explain describes
// (#21: `replicas: 1` patched in, and explain still said 4): patches are
// for the fields zds does not model; a value it models is set in the spec,
// where the rules derive the rest from it. chains are the chain read
// before the patches and after each one; the error is on the last patch
// that changed the value.
func unchanged(root *field.Path, chains []check.Chain) field.ErrorList {
	var errs field.ErrorList
	last := len(chains) - 1
	for _, e := range explained {
		before, after := e.of(chains[0]), e.of(chains[last])
		if before == after {
			continue
		}
		at := 0
		for i := 1; i <= last; i++ {
			if e.of(chains[i]) != e.of(chains[i-1]) {
				at = i - 1
			}
		}
		fix := "zds derives it from the spec (zds explain shows how): remove it from the patch"
		if e.set != "" {
			fix = "set " + e.set + " instead, and remove it from the patch"
		}
		errs = append(errs, field.Forbidden(root.Index(at).Child("patch"), fmt.Sprintf(
			"changes %s from %v to %v, which zds explain would not show: %s", e.what, before, after, fix)))
	}
	return errs
}

// podSecurity refuses patched pods that a namespace enforcing the spec's
// Pod Security level would refuse (#21: hostNetwork, privileged, hostPath
// or root patched in passed without a word), judged by the Pod Security
// admission library's own evaluator; the error names the level they need.
func podSecurity(r *spec.Resolved, o *manifests.Objects) field.ErrorList {
	if o.Deployment == nil {
		return nil
	}
	v, err := podsecurity.Evaluate(r.Spec.Pod.SecurityLevel, &o.Deployment.Spec.Template)
	if err != nil || v.Allowed {
		return nil // an unknown level is validate's to report
	}
	at := spec.PatchPath(r.Spec.Patches, manifests.KindDeployment)
	return field.ErrorList{field.Forbidden(at, fmt.Sprintf(
		"the patched pods break the Pod Security %q standard (spec.pod.securityLevel): %s; a namespace enforcing it refuses them. Change the patch, or set spec.pod.securityLevel: %s and run them in a namespace that enforces no stricter level",
		r.Spec.Pod.SecurityLevel, strings.Join(v.Reasons, ", "), v.Needs))}
}

// patchTarget is the built object of a kind, as a pointer to its Go value.
func patchTarget(o *manifests.Objects, kind string) any {
	for _, it := range o.Items() {
		if it.Kind == kind {
			return it.Object
		}
	}
	return nil
}

// patchInto applies a strategic-merge patch to obj (a pointer to a
// Kubernetes API object), keeping its name and namespace.
func patchInto(obj any, patch map[string]any) error {
	if meta, ok := patch["metadata"].(map[string]any); ok {
		for _, k := range []string{"name", "namespace"} {
			if _, ok := meta[k]; ok {
				return fmt.Errorf("must not change metadata.%s: the objects refer to each other by name", k)
			}
		}
	}
	original, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	p, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	patched, err := strategicpatch.StrategicMergePatch(original, p, obj)
	if err != nil {
		if _, key, ok := strings.Cut(err.Error(), "does not contain declared merge key: "); ok {
			return fmt.Errorf("an item of a list in the patch has no %q: a strategic-merge patch finds the item it changes (a container, a port) by its %s; add it", key, key)
		}
		return fmt.Errorf("not a strategic-merge patch of this kind: %v", err)
	}
	// Decode into a zero value: a field the patch removed must go.
	v := reflect.ValueOf(obj).Elem()
	v.Set(reflect.Zero(v.Type()))
	dec := json.NewDecoder(bytes.NewReader(patched))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%s must be %s, not %s", te.Field, jsonKind(te.Type), articled(te.Value))
		}
		return fmt.Errorf("the patched object is not valid: %v", err)
	}
	return nil
}

// containerNames is the names of the Deployment's containers and init
// containers as zds built them.
func containerNames(o *manifests.Objects) map[string]bool {
	names := map[string]bool{}
	if o.Deployment != nil {
		for _, c := range slices.Concat(o.Deployment.Spec.Template.Spec.InitContainers, o.Deployment.Spec.Template.Spec.Containers) {
			names[c.Name] = true
		}
	}
	return names
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// apiRefusals is what the API server's validation of a Deployment refuses
// that a patch can bring about and that zds's builder never does (#21):
// a progress deadline not above minReadySeconds, a lifecycle hook with two
// handlers, two ports of a container with one name.
func apiRefusals(d *appsv1.Deployment) []string {
	var out []string
	if pds := d.Spec.ProgressDeadlineSeconds; pds != nil && *pds <= d.Spec.MinReadySeconds {
		out = append(out, fmt.Sprintf("spec.progressDeadlineSeconds (%d) must be greater than spec.minReadySeconds (%d)", *pds, d.Spec.MinReadySeconds))
	}
	pod := d.Spec.Template.Spec
	for _, c := range slices.Concat(pod.InitContainers, pod.Containers) {
		if l := c.Lifecycle; l != nil {
			for name, h := range map[string]*corev1.LifecycleHandler{"preStop": l.PreStop, "postStart": l.PostStart} {
				if h == nil {
					continue
				}
				n := 0
				for _, set := range []bool{h.Exec != nil, h.HTTPGet != nil, h.TCPSocket != nil, h.Sleep != nil} {
					if set {
						n++
					}
				}
				if n > 1 {
					out = append(out, fmt.Sprintf("container %q: lifecycle.%s has %d handlers (exec, httpGet, tcpSocket, sleep); it may have one", c.Name, name, n))
				}
			}
		}
		seen := map[string]bool{}
		for _, port := range c.Ports {
			if port.Name != "" && seen[port.Name] {
				out = append(out, fmt.Sprintf("container %q: two ports are named %q", c.Name, port.Name))
			}
			seen[port.Name] = true
		}
	}
	slices.Sort(out)
	return out
}

// jsonKind names a Go type as a YAML user knows it.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a number"
}

// articled is encoding/json's word for a JSON value, with an article.
func articled(v string) string {
	switch v {
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "number", "string", "bool":
		return "a " + v
	}
	return v
}
