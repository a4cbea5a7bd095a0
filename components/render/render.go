// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package render is the writer sink of the pipeline: it turns spec-file
// documents into Kubernetes manifests (the objects package service builds,
// in the apply order package manifests defines) and encodes them as YAML.
// The Pulumi component registers the same objects, so Pulumi users and YAML
// users get identical objects from one builder; the tests prove it against
// the same documents run as a Pulumi program. No Pulumi SDK is involved.
package render

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/zerodowntime/zds/components/audit"
	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/podsecurity"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/components/timing"
)

// Manifests renders the documents' objects in apply order: each
// document's objects as manifests.Build makes them (from the spec resolved
// once, when the file was loaded), in the JSON form the Pulumi component
// registers, ordered by manifests.Items and ApplyOrder exactly as the
// Pulumi engine would create the component's children. No Pulumi SDK is
// involved; tests prove the result equal to what the component registers.
func Manifests(docs []*specfile.Document) ([]map[string]any, error) {
	type node struct {
		kind, key string
		obj       map[string]any
		deps      []int
	}
	var nodes []node
	// Services sharing a namespace each build the same Namespace; two
	// different objects of one identity are an error (see Distinct).
	seen := map[string]int{}
	enforced := map[string]*specfile.Document{} // namespace → the document creating it
	for _, d := range docs {
		if s := d.Resolved.Spec; s.CreateNamespace && enforced[s.Namespace] == nil {
			enforced[s.Namespace] = d
		}
	}
	for _, d := range docs {
		objs := service.Build(d.Resolved)
		if err := renderable(d, objs); err != nil {
			return nil, err
		}
		if err := admitted(d, enforced[d.Resolved.Spec.Namespace], objs); err != nil {
			return nil, err
		}
		byKind := map[string]int{}
		for _, it := range objs.Items() {
			m, err := manifests.ToMap(it.Object)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", d.File, d.Line, err)
			}
			n := node{kind: it.Kind, key: manifests.ObjectKey(m), obj: m}
			id := identity(m)
			// A label patch of a namespace is no rival to the Namespace
			// another document creates: the created one holds its labels
			// and ranks first, and the stream keeps it (Distinct).
			if j, ok := seen[id]; ok && !reflect.DeepEqual(nodes[j].obj, m) &&
				nodes[j].kind != manifests.KindNamespacePatch && it.Kind != manifests.KindNamespacePatch {
				return nil, fmt.Errorf("%s:%d: %s %s is built differently by two documents: give each service its own name", d.File, d.Line, m["kind"], n.key)
			} else if !ok || nodes[j].kind == manifests.KindNamespacePatch {
				seen[id] = len(nodes)
			}
			for _, k := range it.After {
				n.deps = append(n.deps, byKind[k])
			}
			byKind[it.Kind] = len(nodes)
			nodes = append(nodes, n)
		}
	}
	// A service labelling a namespace that another document creates
	// depends on that Namespace in the component; here no dependency is
	// needed: Namespaces wait for nothing and rank first, so every one of
	// them comes before any other object.
	order := manifests.ApplyOrder(len(nodes), func(i int) []int { return nodes[i].deps }, func(i, j int) int {
		return cmp.Or(cmp.Compare(manifests.KindRank(nodes[i].kind), manifests.KindRank(nodes[j].kind)), cmp.Compare(nodes[i].key, nodes[j].key))
	})
	out := make([]map[string]any, len(order))
	for k, i := range order {
		out[k] = nodes[i].obj
	}
	out = Distinct(out)
	if err := patchedPassCheck(docs, out); err != nil {
		return nil, err
	}
	return out, nil
}

// patchedPassCheck refuses output that zds check would reject
// (audit.Refusals says why), each error at the patch that made it and
// every one at once. It checks the whole render, so that a rule reading
// several services (an ALB group) sees them all.
func patchedPassCheck(docs []*specfile.Document, objs []map[string]any) error {
	patched := false
	for _, d := range docs {
		patched = patched || len(d.Resolved.Spec.Patches) > 0
	}
	if !patched {
		return nil // nothing a check could find: no re-reading on the common path
	}
	var lines []string
	for _, f := range audit.Refusals("render", objs) {
		d := docFor(docs, f.Namespace, f.Object)
		e := audit.PatchError(d.Resolved.Spec.Patches, f)
		line, col := d.Position(e.Field)
		lines = append(lines, fmt.Sprintf("%s:%d:%d: %s: %s", d.File, line, col, e.Field, e.Detail))
	}
	if len(lines) > 0 {
		return errors.New(strings.Join(lines, "\n"))
	}
	return nil
}

// docFor is the document whose service owns an object: same namespace and
// name, else the first in the namespace with patches, else the first.
func docFor(docs []*specfile.Document, namespace, object string) *specfile.Document {
	_, name, _ := strings.Cut(object, "/")
	var patched *specfile.Document
	for _, d := range docs {
		s := d.Resolved.Spec
		if s.Namespace != namespace {
			continue
		}
		if s.Name == name {
			return d
		}
		if patched == nil && len(s.Patches) > 0 {
			patched = d
		}
	}
	if patched != nil {
		return patched
	}
	return docs[0]
}

// Distinct is objs without the later copies of an object already in it
// (same apiVersion, kind, namespace and name): the stream a sink writes.
// Each component labels its namespace with its own patch, so removing one
// service keeps the label; a stream or a directory of manifests holds the
// Namespace once, in its first place in apply order, since kustomize and
// Flux refuse an id given twice ("already registered id").
func Distinct(objs []map[string]any) []map[string]any {
	seen := map[string]bool{}
	out := make([]map[string]any, 0, len(objs))
	for _, o := range objs {
		if id := identity(o); !seen[id] {
			seen[id] = true
			out = append(out, o)
		}
	}
	return out
}

func identity(o map[string]any) string {
	return fmt.Sprint(o["apiVersion"], "/", o["kind"], "/", manifests.ObjectKey(o))
}

// admitted refuses a service whose pods the namespace another document
// creates would refuse: that namespace enforces its creator's
// spec.pod.securityLevel.
func admitted(d, creator *specfile.Document, o *manifests.Objects) error {
	if creator == nil || creator == d || o.Deployment == nil {
		return nil
	}
	level := creator.Resolved.Spec.Pod.SecurityLevel
	v, err := podsecurity.Evaluate(level, &o.Deployment.Spec.Template)
	if err != nil || v.Allowed {
		return err
	}
	const path = "spec.pod.securityLevel"
	line, col := creator.Position(path)
	return fmt.Errorf("%s:%d:%d: %s: namespace %s, created here, enforces Pod Security %q, which refuses the pods of %s/%s (%s:%d): %s; set %s: %s here, or run %s elsewhere",
		creator.File, line, col, path, creator.Resolved.Spec.Namespace, level, d.Resolved.Spec.Namespace, d.Resolved.Spec.Name, d.File, d.Line,
		strings.Join(v.Reasons, ", "), path, v.Needs, d.Resolved.Spec.Name)
}

// renderable refuses what only the Pulumi component can deploy: AWS
// resources (a target group, an EKS Pod Identity association), which
// pulumi-aws creates.
func renderable(d *specfile.Document, o *manifests.Objects) error {
	if o.PodIdentity != nil {
		const path = "spec.serviceAccount.podIdentity"
		line, col := d.Position(path)
		return fmt.Errorf("%s:%d:%d: %s: an EKS Pod Identity association is an AWS resource, which only the Pulumi component creates (with pulumi-aws): zds render writes Kubernetes manifests only; for GitOps, give the role with the eks.amazonaws.com/role-arn annotation (IRSA) instead", d.File, line, col, path)
	}
	if o.TargetGroup != nil || o.ListenerRule != nil {
		const path = "spec.loadBalancer.kind"
		line, col := d.Position(path)
		return fmt.Errorf("%s:%d:%d: %s: loadBalancer.kind %s creates an AWS target group with pulumi-aws, which only the Pulumi component deploys: zds render writes Kubernetes manifests only (zds explain works)", d.File, line, col, path, d.Resolved.Spec.LoadBalancer.Kind)
	}
	return nil
}

// Header summarises each service's timing chain as YAML comments.
func Header(docs []*specfile.Document) []byte {
	var b bytes.Buffer
	b.WriteString("# Rendered by zds from the ZeroDowntimeService component; do not edit.\n")
	for _, d := range docs {
		t := d.Resolved.Timing
		s := d.Resolved.Spec
		in := d.Resolved.TimingInputs()
		fmt.Fprintf(&b, "# %s/%s: %s\n", s.Namespace, s.Name, timing.Summary(t.TerminationGracePeriodSeconds, t.PreStopSleepSeconds,
			in.ShutdownSeconds, t.DeregistrationDelaySeconds, in.PropagationSeconds, in.MaxRequestSeconds))
	}
	return b.Bytes()
}
