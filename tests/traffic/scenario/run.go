// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package scenario

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/netip"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/zerodowntime/zds/tests/controlplane"
	"github.com/zerodowntime/zds/tests/traffic/albemu"
	"github.com/zerodowntime/zds/tests/traffic/haproxy"
	"github.com/zerodowntime/zds/tests/traffic/internal/apply"
	"github.com/zerodowntime/zds/tests/traffic/load"
	"github.com/zerodowntime/zds/tests/traffic/node"
)

// Cluster is what every run shares: the API server, the real node, the
// test image, and the controller's webhook.
type Cluster struct {
	Config *rest.Config
	Client kubernetes.Interface
	Node   *node.Node
	Image  string
	// Webhook is the controller's readiness-gate webhook; an event with an
	// outage takes it down and starts a new one afterwards.
	Webhook *albemu.Webhook
	Logf    func(format string, args ...any)
	// Kubeconfig is the control plane's kubeconfig file, for the Pulumi
	// engine (PulumiRollingUpdate).
	Kubeconfig string
}

// Event changes a running service; the run waits until it is over.
type Event struct {
	Name string
	// Kind is what the rollout model (timing.Predict) calls the event:
	// KindRollingUpdate, KindScaleDown or KindDrain.
	Kind string
	// Start triggers the event.
	Start func(ctx context.Context, cs kubernetes.Interface, d *appsv1.Deployment) error
	// Startup, when set, is the app's start-up time in this run instead of
	// the Environment's (zds is told it, as its spec would be).
	Startup time.Duration
	// Replicas, when set, is the service's size in this run instead of
	// the Environment's.
	Replicas int
	// Outage, when set, is a fault of the AWS Load Balancer Controller, as
	// when its pod is down: for Outage from the trigger its readiness-gate
	// webhook does not answer, so every pod created meanwhile gets no gate
	// (the webhook's failurePolicy is Ignore), and the controller acts on
	// nothing; then both are back.
	Outage time.Duration
	// Pulumi, when set, deploys the configuration with `pulumi up` of the
	// component and makes the event a second `pulumi up` with the app's
	// next version (the configuration must be ZDSPulumi). The run checks
	// that Pulumi returns only once every new pod is a healthy target.
	Pulumi bool
}

// RollingUpdate rolls the Deployment to a new version of the image (a new
// pod template).
var RollingUpdate = Event{Name: "rolling update", Kind: KindRollingUpdate, Start: rollToVersion2}

// The kinds of event the rollout model predicts.
const (
	KindRollingUpdate = "rolling update"
	KindScaleDown     = "scale-down"
	KindDrain         = "drain"
)

// RollingUpdate12 is a rolling update of 12 replicas: as many as the
// harness's node holds with a rollout's surge on top (its 2 CPUs
// allocatable, 100m requested per pod, leave room for 20 pods).
var RollingUpdate12 = Event{Name: "rolling update, 12 replicas", Kind: KindRollingUpdate, Start: rollToVersion2, Replicas: 12}

// in is env as this event changes it.
func (ev Event) in(env Environment) Environment {
	if ev.Startup > 0 {
		env.Startup = ev.Startup
	}
	if ev.Replicas > 0 {
		env.Replicas = ev.Replicas
	}
	return env
}

// SlowStartRollingUpdate is a rolling update of an app that takes 8 s to
// start listening.
var SlowStartRollingUpdate = Event{Name: "rolling update, 8 s start-up", Kind: KindRollingUpdate, Start: rollToVersion2, Startup: 8 * time.Second}

// OutageRollingUpdate is a rolling update while the controller is down:
// pods created in the first 5 s get no readiness gate (zds's admission
// policy refuses them instead), then the controller is back.
var OutageRollingUpdate = Event{Name: "rolling update, controller down", Kind: KindRollingUpdate, Start: rollToVersion2, Outage: 5 * time.Second}

// OutageRollingUpdate30 is OutageRollingUpdate with the controller back
// only 30 s after the trigger: longer than a wave with minReadySeconds,
// so the report shows what that defence buys and where it ends (#22).
var OutageRollingUpdate30 = Event{Name: "rolling update, controller down 30 s", Kind: KindRollingUpdate, Start: rollToVersion2, Outage: 30 * time.Second}

// OutageRollingUpdate60 is the same with the controller back after 60 s:
// longer than a wave plus the preStop sleep, where minReadySeconds no
// longer holds (measured: 4.9 % failed) and the admission policy still
// does (0 of 37,833).
var OutageRollingUpdate60 = Event{Name: "rolling update, controller down 60 s", Kind: KindRollingUpdate, Start: rollToVersion2, Outage: 60 * time.Second}

func rollToVersion2(ctx context.Context, cs kubernetes.Interface, d *appsv1.Deployment) error {
	cur, err := cs.AppsV1().Deployments(d.Namespace).Get(ctx, d.Name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	env := cur.Spec.Template.Spec.Containers[0].Env
	for i := range env {
		if env[i].Name == "VERSION" {
			env[i].Value = "2"
		}
	}
	_, err = cs.AppsV1().Deployments(d.Namespace).Update(ctx, cur, metav1.UpdateOptions{})
	return err
}

// Outcome is one run: a configuration through one event.
type Outcome struct {
	Config, Event string
	Load          load.Result
	// EventDuration is from the trigger until the Deployment is rolled out
	// and the load balancer holds exactly the new pods.
	EventDuration time.Duration
	// Returned, for an event made by `pulumi up`, is when it returned,
	// from the trigger.
	Returned time.Duration
	Timeline []albemu.Event
}

func (o Outcome) String() string {
	s := fmt.Sprintf("%s / %s: %d sent, %d failed (%.2f%%) %v; event %s",
		o.Config, o.Event, o.Load.Sent, o.Load.Failed, 100*float64(o.Load.Failed)/float64(max(o.Load.Sent, 1)),
		o.Load.FailedByReason, o.EventDuration.Round(100*time.Millisecond))
	if o.Returned > 0 {
		s += fmt.Sprintf("; pulumi up returned after %s", o.Returned.Round(100*time.Millisecond))
	}
	return s
}

// Rate is the load: at least 200 requests/s, kept up for the whole event.
const Rate = 250

// MinRequests is the least a run sends: the load goes on after a short
// event until this many requests were issued.
const MinRequests = 20000

// Run deploys cfg in its own namespace, behind its own load balancer, waits
// for a steady state, sends constant load, triggers ev, and stops the load
// once ev is over and the load balancer holds only the new pods.
func (c *Cluster) Run(ctx context.Context, cfg Config, env Environment, ev Event) (Outcome, error) {
	out := Outcome{Config: cfg.Name, Event: ev.Name}
	env = ev.in(env)
	// One namespace per run: the last run's may still be terminating.
	ns := namespaceFor(cfg.Name + " " + ev.Name)
	o, err := cfg.Objects(ns, env)
	if err != nil {
		return out, err
	}
	var stack *pulumiStack
	if ev.Pulumi {
		// The program's namespace, labelled for gates, made by the
		// platform; Pulumi makes the rest once the load balancer is bound.
		if _, err := c.Client.CoreV1().Namespaces().Create(ctx, o.NamespacePatch, metav1.CreateOptions{}); err != nil {
			return out, fmt.Errorf("namespace: %w", err)
		}
		if stack, err = c.newPulumiStack(ctx, ns, env); err != nil {
			return out, err
		}
		defer stack.close()
	} else {
		adapt(o.Deployment, c.Image, env, "1")
		c.Node.Pin(&o.Deployment.Spec.Template.Spec)
		if err := apply.Front(ctx, c.Client, o); err != nil {
			return out, err
		}
	}
	defer func() {
		_ = c.Client.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
		_ = apply.Back(context.Background(), c.Client, o)
	}()
	target, settings, err := albemu.Bind(ctx, c.Config, o.Ingress)
	if err != nil {
		return out, err
	}
	podNet := netip.MustParsePrefix(node.PodCIDR)
	lb, err := haproxy.Start(haproxy.Config{
		HealthPath: settings.HealthCheckPath, HealthInterval: settings.HealthCheckInterval,
		HealthTimeout: settings.HealthCheckTimeout, HealthyThreshold: settings.HealthyThreshold,
		UnhealthyThreshold: settings.UnhealthyThreshold,
		AllowServer:        podNet.Contains,
	})
	if err != nil {
		return out, err
	}
	defer lb.Stop()
	ctl, err := albemu.Start(ctx, c.Client, lb, target, albemu.Delays{Controller: env.Controller, Propagation: env.Propagation})
	if err != nil {
		return out, err
	}
	defer ctl.Stop()
	if ev.Pulumi {
		if err := stack.up(ctx, "1"); err != nil {
			return out, err
		}
	} else if _, err := c.Client.AppsV1().Deployments(ns).Create(ctx, o.Deployment, metav1.CreateOptions{}); err != nil {
		return out, err
	}
	if err := c.waitSteady(ctx, o.Deployment, lb, 4*time.Minute); err != nil {
		return out, fmt.Errorf("%s never steady before the event: %w", cfg.Name, err)
	}
	c.Logf("%s: steady with %d replicas behind the load balancer", cfg.Name, env.Replicas)

	loadCtx, stopLoad := context.WithCancel(ctx)
	loadStart := time.Now()
	results := make(chan load.Result, 1)
	loadErr := make(chan error, 1)
	go func() {
		r, err := load.Run(loadCtx, load.Config{
			URL: lb.URL, Rate: Rate, Timeout: 30 * time.Second, Seed: 1,
			Mix: []load.Class{
				{Name: "short", Weight: 90, MinMS: 10, MaxMS: 50},
				{Name: "long", Weight: 10, MinMS: 50, MaxMS: int(env.MaxRequest / time.Millisecond)},
			},
		})
		results <- r
		loadErr <- err
	}()
	defer stopLoad()
	time.Sleep(2 * time.Second) // a steady baseline before the event

	webhookDown := false
	if ev.Outage > 0 {
		ctl.Pause()
		if err := c.Webhook.Down(); err != nil {
			return out, err
		}
		webhookDown = true
		defer func() {
			if webhookDown {
				c.restartWebhook()
			}
		}()
	}
	start := time.Now()
	if ev.Pulumi {
		if err := stack.up(ctx, "2"); err != nil {
			stopLoad()
			return out, err
		}
		out.Returned = time.Since(start)
		// Pulumi returned: every pod of the new version must already be a
		// healthy target (old ones may still be draining).
		if missing, err := c.newPodsNotServing(ctx, o.Deployment, lb); err != nil || len(missing) > 0 {
			stopLoad()
			return out, fmt.Errorf("pulumi up returned with new pods not yet healthy targets: %v %v", missing, err)
		}
	} else if err := ev.Start(ctx, c.Client, o.Deployment); err != nil {
		return out, err
	}
	if ev.Outage > 0 {
		time.Sleep(ev.Outage)
		ctl.Resume()
		c.restartWebhook()
		webhookDown = false
		c.Logf("%s: the controller and its webhook are back after %s", cfg.Name, ev.Outage)
	}
	if err := c.waitSteady(ctx, o.Deployment, lb, 8*time.Minute); err != nil {
		stopLoad()
		return out, fmt.Errorf("%s: %s never finished: %w", cfg.Name, ev.Name, err)
	}
	out.EventDuration = time.Since(start)
	time.Sleep(2 * time.Second) // a steady tail after it
	// A claim of zero failures needs enough requests behind it.
	if rest := time.Duration(MinRequests/Rate)*time.Second + time.Second - time.Since(loadStart); rest > 0 {
		time.Sleep(rest)
	}
	stopLoad()
	out.Load = <-results
	out.Timeline = ctl.Events()
	return out, <-loadErr
}

// restartWebhook ends a webhook outage: a new webhook replaces the one
// taken down.
func (c *Cluster) restartWebhook() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hook, err := albemu.StartWebhook(ctx, c.Config)
	if err != nil {
		c.Logf("restarting the webhook: %v", err)
		return
	}
	c.Webhook = hook
}

// namespaceFor turns a configuration's name into a namespace name: "zds,
// rule 1 broken" → "t-zds-rule-1-broken"; a long one is cut and made
// unique by a hash.
func namespaceFor(name string) string {
	var b strings.Builder
	b.WriteString("t")
	dash := true
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	ns := b.String()
	if len(ns) > 63 {
		// A namespace name is a DNS label: keep it unique by a hash of
		// the whole name.
		h := fnv.New32a()
		h.Write([]byte(name))
		ns = fmt.Sprintf("%s-%08x", strings.TrimRight(ns[:54], "-"), h.Sum32())
	}
	return ns
}

// waitSteady waits until the Deployment is fully rolled out on its current
// template, no pod of it is terminating, and the load balancer holds
// exactly its pods, all healthy and none draining.
func (c *Cluster) waitSteady(ctx context.Context, d *appsv1.Deployment, lb *haproxy.Proxy, timeout time.Duration) error {
	var why string
	err := controlplane.Poll(ctx, timeout, func() (bool, error) {
		if err := c.Node.Alive(); err != nil {
			return false, err
		}
		cur, err := c.Client.AppsV1().Deployments(d.Namespace).Get(ctx, d.Name, metav1.GetOptions{})
		if err != nil {
			why = err.Error()
			return false, nil
		}
		want := *cur.Spec.Replicas
		st := cur.Status
		if st.ObservedGeneration < cur.Generation || st.UpdatedReplicas != want || st.Replicas != want || st.AvailableReplicas != want {
			why = fmt.Sprintf("deployment: %d updated, %d total, %d available of %d", st.UpdatedReplicas, st.Replicas, st.AvailableReplicas, want)
			return false, nil
		}
		sel := labels.SelectorFromSet(cur.Spec.Selector.MatchLabels).String()
		pods, err := c.Client.CoreV1().Pods(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
		if err != nil {
			return false, nil
		}
		var names []string
		for _, p := range pods.Items {
			if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning {
				why = fmt.Sprintf("pod %s still %s", p.Name, p.Status.Phase)
				return false, nil
			}
			names = append(names, p.Name)
		}
		servers, err := lb.Servers()
		if err != nil {
			return false, err
		}
		var healthy []string
		for _, s := range servers {
			if !s.Healthy() || s.Admin.Drain() || s.Admin.Maint() {
				why = fmt.Sprintf("server %s is %s", s.Name, s.Status)
				return false, nil
			}
			healthy = append(healthy, s.Name)
		}
		sort.Strings(names)
		sort.Strings(healthy)
		if strings.Join(names, ",") != strings.Join(healthy, ",") {
			why = fmt.Sprintf("load balancer holds %v, pods are %v", healthy, names)
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("%w (%s)", err, why)
	}
	return nil
}
