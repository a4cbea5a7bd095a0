// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package scenario

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
)

// Environment is what every configuration faces: the load balancer's
// delays and the app's request lengths. L = Controller + Propagation.
type Environment struct {
	Controller, Propagation time.Duration
	// MaxRequest is R, the longest request the load sends.
	MaxRequest time.Duration
	// Shutdown is S, how long the app drains after SIGTERM.
	Shutdown time.Duration
	// Startup is how long the app takes before it listens; zds is told it
	// (app.startupSeconds, rounded up, plus 1 s).
	Startup  time.Duration
	Replicas int
}

// L is the propagation budget zds is told.
func (e Environment) L() time.Duration { return e.Controller + e.Propagation }

// Default keeps every delay short so the tests stay fast; the rules scale.
var Default = Environment{
	Controller: time.Second, Propagation: 4 * time.Second,
	MaxRequest: 3 * time.Second, Shutdown: 3 * time.Second,
	Startup: time.Second, Replicas: 3,
}

// Config is one way to deploy the same service.
type Config struct {
	Name string
	// Objects are the Kubernetes objects, before the test adapts the pod
	// template to the node (image, environment, placement).
	Objects func(ns string, env Environment) (*manifests.Objects, error)
	// Knobs, for zds's configurations, are what the model needs to know
	// of it (scenario.Model); nil for the others.
	Knobs *Knobs
}

// zdsSpec is the spec whose render is tested: the Environment's facts, and
// health checks as fast as the ELB allows.
func zdsSpec(ns string, env Environment) spec.ServiceSpec {
	return spec.ServiceSpec{
		Namespace: ns, CreateNamespace: true, Image: "zds.local/testapp:1",
		Replicas: ptr(env.Replicas),
		App: spec.App{
			MaxRequestSeconds: int(env.MaxRequest / time.Second),
			ShutdownSeconds:   ptr(int(env.Shutdown / time.Second)),
			StartupSeconds:    ptr(int((env.Startup+time.Second-1)/time.Second) + 1),
		},
		HealthCheck: spec.HealthCheck{Path: "/healthz", IntervalSeconds: ptr(5), TimeoutSeconds: ptr(2),
			HealthyThreshold: ptr(2), UnhealthyThreshold: ptr(2)},
		LoadBalancer: spec.LoadBalancer{PropagationSeconds: ptr(int(env.L() / time.Second))},
		// One node, without a zone label.
		Spread: spec.Spread{Zones: "Off", Nodes: "Off"},
	}
}

// Knobs are zds's pace knobs set by hand, for #22's ablations: the
// rollout's surge, the disruption budget, the admission policy that
// requires the readiness gate (off: zds falls back to minReadySeconds =
// registration, as its spec does), and minReadySeconds dropped from the
// render. Zero values leave zds's derivation alone.
type Knobs struct {
	MaxSurge, Budget int
	NoGatePolicy     bool
	NoMinReady       bool
}

// Name is the configuration's name in the report: "zds", "zds, maxSurge
// 2", "zds, requireReadinessGate off, without minReadySeconds".
func (k Knobs) Name() string {
	n := "zds"
	if k.MaxSurge > 0 {
		n += fmt.Sprintf(", maxSurge %d", k.MaxSurge)
	}
	if k.Budget > 0 {
		n += fmt.Sprintf(", budget %d", k.Budget)
	}
	if k.NoGatePolicy {
		n += ", requireReadinessGate off"
	}
	if k.NoMinReady {
		if n != "zds" {
			n += ","
		}
		n += " without minReadySeconds"
	}
	return n
}

func (k Knobs) spec(ns string, env Environment) spec.ServiceSpec {
	s := zdsSpec(ns, env)
	if k.MaxSurge > 0 {
		s.Rollout.MaxSurge = ptr(k.MaxSurge)
	}
	if k.Budget > 0 {
		s.Disruption.MaxUnavailable = ptr(k.Budget)
	}
	if k.NoGatePolicy {
		s.LoadBalancer.RequireReadinessGate = ptr(false)
	}
	return s
}

// objects renders the spec, then drops minReadySeconds when asked.
func (k Knobs) objects(ns string, env Environment) (*manifests.Objects, error) {
	r, err := service.Resolve("web", k.spec(ns, env), spec.Inputs{})
	if err != nil {
		return nil, fmt.Errorf("zds spec: %w", err)
	}
	o := service.Build(r)
	if k.NoMinReady {
		o.Deployment.Spec.MinReadySeconds = 0
	}
	return o, nil
}

// Config is zds's output with these knobs.
func (k Knobs) Config() Config {
	return Config{Name: k.Name(), Knobs: &k, Objects: k.objects}
}

// ZDS is the render of the matching spec.
var ZDS = Knobs{}.Config()

// ZDSMinReady is zds without its admission policy: pods created while the
// controller's webhook is down get no gate, and minReadySeconds =
// registration is what holds each wave back (zds's design before #22).
var ZDSMinReady = Knobs{NoGatePolicy: true}.Config()

// ZDSUndefended is zds with neither the admission policy nor
// minReadySeconds: nothing stands between an ungated pod and traffic.
var ZDSUndefended = Knobs{NoGatePolicy: true, NoMinReady: true}.Config()

// ProbesOnly is zds's Deployment without preStop, grace period, rollout
// tuning or readiness gate: probes are what most teams reach first.
var ProbesOnly = Config{Name: "probes only", Objects: func(ns string, env Environment) (*manifests.Objects, error) {
	o, err := ZDS.Objects(ns, env)
	if err != nil {
		return nil, err
	}
	delete(o.Namespace.Labels, spec.ReadinessGateLabel)
	o.GatePolicy, o.GatePolicyBinding = nil, nil
	d := o.Deployment
	d.Spec.MinReadySeconds = 0
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType}
	p := &d.Spec.Template.Spec
	p.TerminationGracePeriodSeconds = nil
	for i := range p.Containers {
		p.Containers[i].Lifecycle = nil
	}
	return o, nil
}}

// Plain is what a Deployment looks like before anyone tunes it: no probes,
// no preStop, the default grace period and rolling update, no readiness
// gate label; behind the same Service, Ingress and load balancer.
var Plain = Config{Name: "plain", Objects: func(ns string, env Environment) (*manifests.Objects, error) {
	o, err := ProbesOnly.Objects(ns, env)
	if err != nil {
		return nil, err
	}
	o.Deployment.Spec.ProgressDeadlineSeconds = nil
	p := &o.Deployment.Spec.Template.Spec
	for i := range p.Containers {
		p.Containers[i].ReadinessProbe, p.Containers[i].StartupProbe, p.Containers[i].LivenessProbe = nil, nil, nil
	}
	return o, nil
}}

// FieldRecipe is the k6 report's 0 % configuration (field-notes.md):
// probes, preStop sleep 20 s, grace 30 s, maxSurge 2 / maxUnavailable 0,
// with its seconds scaled to this environment's L (the field's ALB took
// about 25 s), and no readiness gate.
var FieldRecipe = Config{Name: "field recipe", Objects: func(ns string, env Environment) (*manifests.Objects, error) {
	o, err := ProbesOnly.Objects(ns, env)
	if err != nil {
		return nil, err
	}
	d := o.Deployment
	surge, unavailable := intstr.FromInt32(2), intstr.FromInt32(0)
	d.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavailable}
	p := &d.Spec.Template.Spec
	p.TerminationGracePeriodSeconds = ptr(fieldSeconds(30, env))
	for i := range p.Containers {
		p.Containers[i].Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: fieldSeconds(20, env)}}}
	}
	return o, nil
}}

// fieldSeconds scales a duration from the field report, whose ALB took
// about 25 s to stop sending new requests, to this environment's L.
func fieldSeconds(s float64, env Environment) int64 {
	return max(1, int64(s*env.L().Seconds()/25+0.5))
}

// Ablation is zds's output with one timing rule broken on purpose, past
// validation, to show with numbers which rules are necessary here.
func Ablation(rule string, env Environment) Config {
	L, R, S := int64(env.L().Seconds()), int64(env.MaxRequest.Seconds()), int64(env.Shutdown.Seconds())
	return Config{Name: "zds, rule " + rule + " broken", Objects: func(ns string, env Environment) (*manifests.Objects, error) {
		o, err := ZDS.Objects(ns, env)
		if err != nil {
			return nil, err
		}
		p := &o.Deployment.Spec.Template.Spec
		sleep := &p.Containers[0].Lifecycle.PreStop.Sleep.Seconds
		switch rule {
		case "1": // D = R + 1 < L + R; P ≥ L, P + S > D, G > P + S still hold.
			setDeregistrationDelay(o, R+1)
		case "2": // P < L; with S ≤ R here, P + S > D ≥ L + R cannot also hold, so rule 3 breaks with it.
			*sleep = L - 3
			p.TerminationGracePeriodSeconds = ptr(*sleep + S + 5)
		case "3": // P + S ≤ D with P = L: the pod may exit while its target drains.
			*sleep = L
			p.TerminationGracePeriodSeconds = ptr(L + S + 5)
		case "4": // G = P + 1 ≤ P + S: SIGKILL one second after SIGTERM. (The API
			// server itself refuses a native preStop sleep that is not below G.)
			p.TerminationGracePeriodSeconds = ptr(*sleep + 1)
		default:
			return nil, fmt.Errorf("no ablation for rule %q", rule)
		}
		return o, nil
	}}
}

// setDeregistrationDelay rewrites D in the Ingress's target-group attributes.
func setDeregistrationDelay(o *manifests.Objects, d int64) {
	o.Ingress.Annotations[service.AnnTargetGroupAttributes] = fmt.Sprintf("deregistration_delay.timeout_seconds=%d", d)
}

func ptr[T any](v T) *T { return &v }

// adapt points the pod template at the test image and app settings.
func adapt(d *appsv1.Deployment, image string, env Environment, version string) {
	p := &d.Spec.Template.Spec
	c := &p.Containers[0]
	c.Image = image
	c.ImagePullPolicy = corev1.PullNever
	c.Env = append(c.Env,
		corev1.EnvVar{Name: "PORT", Value: "8080"},
		corev1.EnvVar{Name: "SHUTDOWN_MODE", Value: "drain"},
		corev1.EnvVar{Name: "SHUTDOWN_SECONDS", Value: fmt.Sprint(env.Shutdown.Seconds())},
		corev1.EnvVar{Name: "STARTUP_SECONDS", Value: fmt.Sprint(env.Startup.Seconds())},
		corev1.EnvVar{Name: "VERSION", Value: version},
		corev1.EnvVar{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
	)
}
