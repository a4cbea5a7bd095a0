// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package scenario

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/zds"
	"github.com/zerodowntime/zds/tests/engine/enginetest"
	"github.com/zerodowntime/zds/tests/traffic/haproxy"
	"github.com/zerodowntime/zds/tests/traffic/node"
)

// PulumiRollingUpdate is a rolling update made by a real `pulumi up` of
// the ZeroDowntimeService component: the service is deployed by `pulumi
// up` (the Pulumi CLI and the Kubernetes provider of tests/engine, the Go
// program inline), and the event is a second `pulumi up` with the new
// version, which returns once the rollout is done.
var PulumiRollingUpdate = Event{Name: "rolling update by pulumi up", Kind: KindRollingUpdate, Pulumi: true}

// ZDSPulumi is zds's service as a Pulumi program declares it: the spec of
// ZDS, with what the harness adapts in the pod template (image, environment,
// placement on the real node) given as spec fields, since a program cannot
// edit the objects. Its namespace is made by the harness, labelled for
// readiness gates, as a platform team's would be.
var ZDSPulumi = Config{Name: "zds (pulumi up)", Objects: func(ns string, env Environment) (*manifests.Objects, error) {
	r, err := service.Resolve("web", pulumiSpec(ns, env, "", "1"), spec.Inputs{})
	if err != nil {
		return nil, fmt.Errorf("zds spec: %w", err)
	}
	return service.Build(r), nil
}, Knobs: &Knobs{}}

func pulumiSpec(ns string, env Environment, image, version string) spec.ServiceSpec {
	s := zdsSpec(ns, env)
	s.Name = "web"
	s.CreateNamespace = false
	if image != "" {
		s.Image = image
	}
	s.Env = []spec.EnvVar{
		{Name: "PORT", Value: "8080"},
		{Name: "SHUTDOWN_MODE", Value: "drain"},
		{Name: "SHUTDOWN_SECONDS", Value: fmt.Sprint(env.Shutdown.Seconds())},
		{Name: "STARTUP_SECONDS", Value: fmt.Sprint(env.Startup.Seconds())},
		{Name: "VERSION", Value: version},
		{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
	}
	s.Pod.NodeSelector = map[string]string{node.Label: "true"}
	s.Pod.Tolerations = []corev1.Toleration{{Key: node.Taint, Operator: corev1.TolerationOpEqual, Value: "true", Effect: corev1.TaintEffectNoSchedule}}
	s.Patches = []spec.Patch{{Kind: "Deployment", Patch: map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
		"containers": []any{map[string]any{"name": "app", "imagePullPolicy": "Never"}},
	}}}}}}
	// The emulated controller registers targets and sets gates, but writes
	// no Ingress status: Pulumi waits for the Deployment only.
	s.LoadBalancer.SkipAwait = true
	return s
}

// pulumiStack is one run's stack: a local backend, the engine's binaries.
type pulumiStack struct {
	stack      auto.Stack
	dir        string
	kubeconfig string
	spec       func(version string) spec.ServiceSpec
	logf       func(string, ...any)
}

func (c *Cluster) newPulumiStack(ctx context.Context, ns string, env Environment) (*pulumiStack, error) {
	engineDir, err := enginetest.Dir()
	if err != nil {
		return nil, err
	}
	kubeconfig, err := os.ReadFile(c.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	dir, err := os.MkdirTemp("", "zds-traffic-pulumi-")
	if err != nil {
		return nil, err
	}
	p := &pulumiStack{dir: dir, logf: c.Logf, kubeconfig: string(kubeconfig), spec: func(version string) spec.ServiceSpec {
		return pulumiSpec(ns, env, c.Image, version)
	}}
	state := filepath.Join(dir, "state")
	if err := os.MkdirAll(state, 0o755); err != nil {
		p.close()
		return nil, err
	}
	e := enginetest.Stack{EngineDir: engineDir, Home: filepath.Join(dir, "home"), Env: enginetest.Env(engineDir, nil, nil)}
	program := func(ctx *pulumi.Context) error { return nil }
	if p.stack, err = e.Inline(ctx, "zds-traffic", "traffic", "file://"+state, program); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// up runs `pulumi up` of the service at a version of the app, and returns
// when Pulumi does.
func (p *pulumiStack) up(ctx context.Context, version string) error {
	s := p.spec(version)
	kc := p.kubeconfig
	p.stack.Workspace().SetProgram(func(ctx *pulumi.Context) error {
		prov, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{Kubeconfig: pulumi.String(kc)})
		if err != nil {
			return err
		}
		_, err = zds.NewZeroDowntimeService(ctx, "web", &zds.ZeroDowntimeServiceArgs{ServiceSpec: s}, pulumi.Provider(prov))
		return err
	})
	var out bytes.Buffer
	start := time.Now()
	_, err := p.stack.Up(ctx, optup.ProgressStreams(&out))
	if err != nil {
		return fmt.Errorf("pulumi up (version %s): %w\n%s", version, err, out.String())
	}
	p.logf("pulumi up (version %s) took %s", version, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// close removes the stack's state and home; the objects go with the run's
// namespace, as every run's do.
func (p *pulumiStack) close() { os.RemoveAll(p.dir) }

// newPodsNotServing lists the Deployment's running pods (the new version's,
// once a rollout is done) that are not healthy, active targets of the load
// balancer.
func (c *Cluster) newPodsNotServing(ctx context.Context, d *appsv1.Deployment, lb *haproxy.Proxy) ([]string, error) {
	pods, err := c.Client.CoreV1().Pods(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(d.Spec.Selector.MatchLabels).String()})
	if err != nil {
		return nil, err
	}
	servers, err := lb.Servers()
	if err != nil {
		return nil, err
	}
	serving := map[string]bool{}
	for _, s := range servers {
		if s.Healthy() && !s.Admin.Drain() && !s.Admin.Maint() {
			serving[s.Name] = true
		}
	}
	var missing []string
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && !serving[p.Name] {
			missing = append(missing, p.Name)
		}
	}
	return missing, nil
}
