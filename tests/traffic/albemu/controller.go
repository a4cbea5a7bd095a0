// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package albemu

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// Balancer is the data plane: one server per target. package haproxy's
// Proxy implements it.
type Balancer interface {
	AddServer(name, addr string) error
	Healthy(name string) (bool, error)
	Drain(name string) error
	Remove(name string) error
}

// Delays are the control plane's latencies.
type Delays struct {
	// Controller is c: an endpoint change → the controller registers or
	// deregisters the target (the draining clock starts at deregistration).
	Controller time.Duration
	// Propagation is p: deregistration → the load balancer's nodes stop
	// sending new requests to the target.
	Propagation time.Duration
}

// Target is the binding between a Service port and the load balancer: what
// the controller manages for one TargetGroupBinding.
type Target struct {
	Namespace, Service string
	// PortName is the Service's target port name (zds: "http").
	PortName string
	// Binding is the TargetGroupBinding's name; the readiness-gate condition
	// is target-health.elbv2.k8s.aws/<Binding>.
	Binding string
	// DeregistrationDelay is D.
	DeregistrationDelay time.Duration
}

// GateCondition is the pod condition the readiness gate waits for.
func (t Target) GateCondition() corev1.PodConditionType {
	return corev1.PodConditionType("target-health.elbv2.k8s.aws/" + t.Binding)
}

// Event is one step of the emulated control plane, for reports and
// debugging.
type Event struct {
	At     time.Time
	Pod    string
	What   string
	Detail string
}

// Controller registers and deregisters the Service's pods as targets.
type Controller struct {
	cs     kubernetes.Interface
	lb     Balancer
	target Target
	delays Delays

	mu      sync.Mutex
	targets map[string]*target // by pod name
	events  []Event
	stop    context.CancelFunc
	wg      sync.WaitGroup
	paused  bool
}

type target struct {
	pod, addr  string
	registered bool
	gated      bool // condition set True
	leaving    bool // deregistration started
}

// pollEvery is how often target health is read and gates are updated.
const pollEvery = 200 * time.Millisecond

// Start runs the controller until ctx ends or Stop.
func Start(ctx context.Context, cs kubernetes.Interface, lb Balancer, t Target, d Delays) (*Controller, error) {
	ctx, cancel := context.WithCancel(ctx)
	c := &Controller{cs: cs, lb: lb, target: t, delays: d, targets: map[string]*target{}, stop: cancel}
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(t.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector = discoveryv1.LabelServiceName + "=" + t.Service
		}))
	inf := factory.Discovery().V1().EndpointSlices().Informer()
	resync := func(any) { c.reconcile(ctx, inf.GetStore().List()) }
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    resync,
		UpdateFunc: func(_, n any) { resync(n) },
		DeleteFunc: resync,
	}); err != nil {
		cancel()
		return nil, err
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		cancel()
		return nil, fmt.Errorf("endpoint slices of %s/%s never synced", t.Namespace, t.Service)
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		tick := time.NewTicker(pollEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				c.updateGates(ctx)
				c.reconcile(ctx, inf.GetStore().List())
			}
		}
	}()
	return c, nil
}

// Stop stops the controller and waits for its work to end; targets stay as
// they are in the load balancer.
func (c *Controller) Stop() {
	c.stop()
	c.wg.Wait()
}

// Pause makes the controller act on nothing (an outage); Resume ends it.
func (c *Controller) Pause() { c.mu.Lock(); c.paused = true; c.mu.Unlock() }

// Resume ends an outage; what changed meanwhile is acted on now.
func (c *Controller) Resume() { c.mu.Lock(); c.paused = false; c.mu.Unlock() }

// Events returns what happened so far.
func (c *Controller) Events() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.events...)
}

func (c *Controller) logf(pod, what, format string, args ...any) {
	c.events = append(c.events, Event{At: time.Now(), Pod: pod, What: what, Detail: fmt.Sprintf(format, args...)})
}

// reconcile compares the endpoints with the targets: new addresses are
// registered after c, terminating or vanished ones deregistered.
func (c *Controller) reconcile(ctx context.Context, slices []any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused || ctx.Err() != nil {
		return
	}
	seen := map[string]bool{}
	for _, o := range slices {
		es, ok := o.(*discoveryv1.EndpointSlice)
		if !ok {
			continue
		}
		var port int32
		for _, p := range es.Ports {
			if p.Port != nil && (p.Name == nil || *p.Name == c.target.PortName || len(es.Ports) == 1) {
				port = *p.Port
			}
		}
		if port == 0 {
			continue
		}
		for _, ep := range es.Endpoints {
			if ep.TargetRef == nil || ep.TargetRef.Kind != "Pod" || len(ep.Addresses) == 0 {
				continue
			}
			pod := ep.TargetRef.Name
			terminating := ep.Conditions.Terminating != nil && *ep.Conditions.Terminating
			if !terminating {
				seen[pod] = true
			}
			ready := ep.Conditions.Ready != nil && *ep.Conditions.Ready
			tg, known := c.targets[pod]
			switch {
			case !known && !terminating && (ready || c.waitsForGate(ctx, pod)):
				// Like the controller: Ready endpoints, and unready ones
				// whose containers are Ready and whose pod waits for this
				// target's readiness gate (its backend/endpoint_resolver.go:
				// a gated pod whose containers are not Ready yet is not
				// registered).
				tg = &target{pod: pod, addr: fmt.Sprintf("%s:%d", ep.Addresses[0], port)}
				c.targets[pod] = tg
				c.logf(pod, "endpoint", "%s", tg.addr)
				c.after(ctx, c.delays.Controller, func() { c.register(tg) })
			}
		}
	}
	for pod, tg := range c.targets {
		if !seen[pod] && !tg.leaving && c.podLeaving(ctx, pod) {
			tg.leaving = true
			c.logf(pod, "endpoint terminating", "")
			c.deregister(ctx, tg)
		}
	}
}

// after runs f after d, unless the controller stops first.
func (c *Controller) after(ctx context.Context, d time.Duration, f func()) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		select {
		case <-ctx.Done():
		case <-time.After(d):
			f()
		}
	}()
}

func (c *Controller) register(tg *target) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tg.leaving || tg.registered {
		return
	}
	if err := c.lb.AddServer(tg.pod, tg.addr); err != nil {
		c.logf(tg.pod, "register failed", "%v", err)
		return
	}
	tg.registered = true
	c.logf(tg.pod, "registered", "%s", tg.addr)
}

// deregister runs the draining timeline of one target: DeregisterTargets at
// c, no new requests from c + p, removed (in-flight requests cut) at c + D.
func (c *Controller) deregister(ctx context.Context, tg *target) {
	p, D := c.delays.Propagation, c.target.DeregistrationDelay
	c.after(ctx, c.delays.Controller, func() {
		c.mu.Lock()
		registered := tg.registered
		c.logf(tg.pod, "deregistered", "draining clock starts (D=%s)", D)
		c.mu.Unlock()
		if !registered {
			return
		}
		if p < D {
			c.after(ctx, p, func() {
				c.mu.Lock()
				defer c.mu.Unlock()
				if err := c.lb.Drain(tg.pod); err != nil {
					c.logf(tg.pod, "drain failed", "%v", err)
					return
				}
				c.logf(tg.pod, "draining", "no new requests")
			})
		}
		c.after(ctx, D, func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if err := c.lb.Remove(tg.pod); err != nil {
				c.logf(tg.pod, "remove failed", "%v", err)
				return
			}
			c.logf(tg.pod, "removed", "deregistration delay over")
		})
	})
}

// updateGates sets the gate condition True on pods whose target is healthy,
// as the controller does once the target group reports them healthy.
func (c *Controller) updateGates(ctx context.Context) {
	c.mu.Lock()
	if c.paused {
		c.mu.Unlock()
		return
	}
	var todo []*target
	for _, tg := range c.targets {
		if tg.registered && !tg.gated && !tg.leaving {
			todo = append(todo, tg)
		}
	}
	c.mu.Unlock()
	for _, tg := range todo {
		ok, err := c.lb.Healthy(tg.pod)
		if err != nil || !ok {
			continue
		}
		if err := c.setGate(ctx, tg.pod); err != nil {
			c.mu.Lock()
			c.logf(tg.pod, "gate update failed", "%v", err)
			c.mu.Unlock()
			continue
		}
		c.mu.Lock()
		tg.gated = true
		c.logf(tg.pod, "healthy", "gate condition set")
		c.mu.Unlock()
	}
}

// podLeaving confirms that a pod missing from the endpoints is going away
// (deleted or being deleted), not just between two slice updates.
func (c *Controller) podLeaving(ctx context.Context, pod string) bool {
	p, err := c.cs.CoreV1().Pods(c.target.Namespace).Get(ctx, pod, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return true
	}
	return err == nil && p.DeletionTimestamp != nil
}

// waitsForGate reports whether the pod carries this target's readiness
// gate and its containers are Ready: what the controller registers before
// the pod itself is Ready.
func (c *Controller) waitsForGate(ctx context.Context, pod string) bool {
	p, err := c.cs.CoreV1().Pods(c.target.Namespace).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return false
	}
	containersReady := false
	for _, cond := range p.Status.Conditions {
		containersReady = containersReady || cond.Type == corev1.ContainersReady && cond.Status == corev1.ConditionTrue
	}
	for _, g := range p.Spec.ReadinessGates {
		if g.ConditionType == c.target.GateCondition() {
			return containersReady
		}
	}
	return false
}

func (c *Controller) setGate(ctx context.Context, pod string) error {
	cond := c.target.GateCondition()
	p, err := c.cs.CoreV1().Pods(c.target.Namespace).Get(ctx, pod, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	hasGate := false
	for _, g := range p.Spec.ReadinessGates {
		hasGate = hasGate || g.ConditionType == cond
	}
	if !hasGate {
		return nil // no gate injected: nothing to complete
	}
	patch, err := json.Marshal(map[string]any{"status": map[string]any{"conditions": []corev1.PodCondition{{
		Type: cond, Status: corev1.ConditionTrue, Reason: "Elb.RegistrationCompleted",
		Message: "Target registration is complete", LastTransitionTime: metav1.Now(),
	}}}})
	if err != nil {
		return err
	}
	_, err = c.cs.CoreV1().Pods(c.target.Namespace).Patch(ctx, pod, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status")
	return err
}
