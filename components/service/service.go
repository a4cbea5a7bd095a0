// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package service is the one pipeline of a ZeroDowntimeService: Resolve
// turns a spec into a spec.Resolved exactly once (defaults, validation,
// derived timings), and Build turns that into its Kubernetes objects, which
// the YAML writer and the Pulumi component both take as they are.
//
// Everything that depends on loadBalancer.kind is a Mode, one type in one
// file: alb.go, nlb.go and targetgroupbinding.go. Adding a kind is one such
// file plus its line in Modes.
package service

import (
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/zerodowntime/zds/components/check"
	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/timing"
)

// Mode is one load-balancer kind: its timing profile, defaults, the fields
// it forbids and checks, the objects it builds, and how package check reads
// the target group's settings back from them.
type Mode interface {
	// Kind is the loadBalancer.kind value, e.g. "alb".
	Kind() string
	// Profile holds the kind's timing facts and defaults (L, registration
	// latency, idle timeout, health check). The numbers are sourced in
	// docs/timing.md.
	Profile() timing.Profile
	// Default applies the kind's defaults to a spec that has the generic
	// ones (spec.ServiceSpec.WithDefaults).
	Default(s *spec.ServiceSpec, hasCertificate bool)
	// Validate reports every problem with the kind's settings of a
	// defaulted spec; p is the path of spec.loadBalancer.
	Validate(s spec.ServiceSpec, in spec.Inputs, p *field.Path) field.ErrorList
	// Build adds what binds the Service to a target group to objects that
	// hold the kind-independent ones.
	Build(r *spec.Resolved, o *manifests.Objects)
	// Read returns the target group's settings from the objects that carry
	// them, or false when o holds no such objects.
	Read(o *manifests.Objects) (check.Settings, bool)
}

// Modes lists every load-balancer kind, in the order package check tries
// their readers. It is the registry: a new kind is one line here.
var Modes = []Mode{ALB, NLB, TargetGroupBinding}

// Package check reads the target group's settings with the modes'
// readers: registered here, so that check imports no mode.
func init() {
	for _, m := range Modes {
		check.RegisterReader(m.Read)
	}
}

// Lookup returns the mode of a loadBalancer.kind.
func Lookup(kind string) (Mode, bool) {
	for _, m := range Modes {
		if m.Kind() == kind {
			return m, true
		}
	}
	return nil, false
}

// Kinds returns every loadBalancer.kind, sorted.
func Kinds() []string {
	out := make([]string, len(Modes))
	for i, m := range Modes {
		out[i] = m.Kind()
	}
	slices.Sort(out)
	return out
}

// WithDefaults returns s with every default applied: the generic ones (see
// spec.ServiceSpec.WithDefaults) and those of its load-balancer kind. An
// unknown kind gets no kind defaults; Resolve reports it.
func WithDefaults(name string, s spec.ServiceSpec, hasCertificate bool) spec.ServiceSpec {
	d := s.WithDefaults(name)
	if m, ok := Lookup(d.LoadBalancer.Kind); ok {
		m.Default(&d, hasCertificate)
	}
	return d
}

// Validate returns every problem in a defaulted spec except the timing
// rules: the generic ones (spec.ServiceSpec.Validate) and those of its
// load-balancer kind.
func Validate(d spec.ServiceSpec, in spec.Inputs) field.ErrorList {
	errs := d.Validate(in)
	p := field.NewPath("spec", "loadBalancer")
	m, ok := Lookup(d.LoadBalancer.Kind)
	if !ok {
		return append(errs, field.NotSupported(p.Child("kind"), d.LoadBalancer.Kind, Kinds()))
	}
	return append(errs, m.Validate(d, in, p)...)
}

// Resolve applies defaults, validates, and derives the timings: the whole
// pure core in one call, once per service. It returns a *spec.InvalidError
// listing every problem, so a user can fix a spec in one pass; nothing is
// built when it fails.
func Resolve(name string, s spec.ServiceSpec, in spec.Inputs) (*spec.Resolved, error) {
	d := WithDefaults(name, s, s.LoadBalancer.CertificateArn != "" || in.CertificateArn)
	errs := Validate(d, in)
	m, ok := Lookup(d.LoadBalancer.Kind)
	if !ok {
		return nil, &spec.InvalidError{Errors: errs}
	}
	r := &spec.Resolved{Spec: d, Profile: m.Profile(), Inputs: in}
	t, terrs := timing.Derive(r.TimingInputs())
	errs = append(errs, spec.TimingErrors(terrs)...)
	if len(errs) > 0 {
		return nil, &spec.InvalidError{Errors: errs}
	}
	r.Timing = t
	if len(d.Patches) > 0 {
		// The patched objects must keep every rule: build and check them
		// now, so that a bad patch is reported with the spec's problems.
		if _, errs := build(r, m); len(errs) > 0 {
			return nil, &spec.InvalidError{Errors: errs}
		}
	}
	return r, nil
}

// Build returns the objects of a resolved service.
func Build(r *spec.Resolved) *manifests.Objects {
	m, ok := Lookup(r.Spec.LoadBalancer.Kind)
	if !ok {
		panic("service: Build of a spec Resolve did not return: unknown loadBalancer.kind " + r.Spec.LoadBalancer.Kind)
	}
	o, errs := build(r, m)
	if len(errs) > 0 {
		panic("service: Build of a spec whose patches Resolve refused: " + errs.ToAggregate().Error())
	}
	return o
}

// build makes the objects: the shared ones, the mode's, then the patches
// applied and checked.
func build(r *spec.Resolved, m Mode) (*manifests.Objects, field.ErrorList) {
	o := manifests.Build(r)
	m.Build(r, o)
	return o, applyPatches(r, o)
}

// Defaults and checks more than one kind shares.
const (
	// DefaultScheme is the controller's: an internal load balancer.
	DefaultScheme = "internal"
	// DefaultPath routes every path.
	DefaultPath = "/"
)

// HasCertificate reports whether the load balancer gets an HTTPS listener
// (from the spec, or from a Pulumi input).
func HasCertificate(r *spec.Resolved) bool {
	return r.Spec.LoadBalancer.CertificateArn != "" || r.Inputs.CertificateArn
}

func defaultPaths(lb *spec.LoadBalancer) {
	if len(lb.Paths) == 0 {
		lb.Paths = []string{DefaultPath}
	}
}

func scheme(errs field.ErrorList, p *field.Path, v string) field.ErrorList {
	switch v {
	case "internal", "internet-facing":
		return errs
	}
	return append(errs, field.NotSupported(p.Child("scheme"), v, []string{"internal", "internet-facing"}))
}

// forbidden is a loadBalancer setting a kind does not use, and why.
type forbidden struct {
	field string
	set   func(lb spec.LoadBalancer, in spec.Inputs) bool
	why   string
}

// forbid reports each setting of table that is set.
func forbid(errs field.ErrorList, p *field.Path, kind string, table []forbidden, lb spec.LoadBalancer, in spec.Inputs) field.ErrorList {
	for _, f := range table {
		if f.set(lb, in) {
			errs = append(errs, spec.NotFor(p.Child(f.field), kind, f.why))
		}
	}
	return errs
}

// defaultFromProfile sets propagation and the health check from the kind's
// profile.
func defaultFromProfile(s *spec.ServiceSpec, p timing.Profile) {
	setIntPtr(&s.LoadBalancer.PropagationSeconds, p.PropagationSeconds)
	hc := &s.HealthCheck
	setIntPtr(&hc.IntervalSeconds, p.HealthCheck.IntervalSeconds)
	setIntPtr(&hc.TimeoutSeconds, p.HealthCheck.TimeoutSeconds)
	setIntPtr(&hc.HealthyThreshold, p.HealthCheck.HealthyThreshold)
	setIntPtr(&hc.UnhealthyThreshold, p.HealthCheck.UnhealthyThreshold)
}

func setString(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func setIntPtr(p **int, v int) {
	if *p == nil {
		*p = &v
	}
}
