// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/zerodowntime/zds/components/check"
	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/components/zds"
	"github.com/zerodowntime/zds/tests/controlplane"
)

// exampleManifests renders an example's spec file, optionally moving every
// service to another namespace, as zds render does.
func exampleManifests(t *testing.T, path, namespace string) ([]map[string]any, []*specfile.Document) {
	t.Helper()
	docs, err := specfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if namespace != "" {
		for _, d := range docs {
			d.Metadata.Namespace = namespace
			if d.Resolved, err = service.Resolve(d.Metadata.Name, d.ServiceSpec(), spec.Inputs{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	objs, err := render.Manifests(docs)
	if err != nil {
		t.Fatal(err)
	}
	return objs, docs
}

// specManifests renders one ServiceSpec through the component.
func specManifests(t *testing.T, name string, s zds.ServiceSpec) []map[string]any {
	t.Helper()
	return specRecording(t, name, s).Manifests()
}

func specRecording(t *testing.T, name string, s zds.ServiceSpec) *preview.Recording {
	t.Helper()
	rec, err := preview.Run(func(ctx *pulumi.Context) error {
		_, err := zds.NewZeroDowntimeService(ctx, name, &zds.ZeroDowntimeServiceArgs{ServiceSpec: s})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func namespacesOf(objs []map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range objs {
		u := unstructured.Unstructured{Object: o}
		ns := u.GetNamespace()
		if u.GetKind() == "Namespace" {
			ns = u.GetName()
		}
		if ns != "" && !seen[ns] {
			seen[ns] = true
			out = append(out, ns)
		}
	}
	return out
}

// serverSideValidate is the full treatment for one set of objects:
// server-side dry-run (nothing persisted), real apply into namespaces that
// enforce Pod Security "restricted" (no warnings), every timing rule re-read
// from the live objects, selection checked on live pods, and a second apply
// that changes nothing.
func serverSideValidate(t *testing.T, objs []map[string]any) {
	t.Helper()
	serverSideValidateWith(t, objs, nil)
}

// serverSideValidateWith also takes the AWS target groups (by
// namespace/name of the service) that a targetGroupBinding service's
// Pulumi program creates, for the timing checks: they live in AWS, not in
// the cluster.
func serverSideValidateWith(t *testing.T, objs []map[string]any, targetGroups map[string]*manifests.TargetGroup) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	for _, ns := range namespacesOf(objs) {
		restrictedNamespace(t, ctx, ns)
	}
	warnings.take()

	if _, err := apply(ctx, objs, true); err != nil {
		t.Fatalf("server-side dry run rejected the objects: %v", err)
	}
	for _, o := range objs {
		u := &unstructured.Unstructured{Object: o}
		if u.GetKind() != "Deployment" {
			continue
		}
		ri, _ := resourceFor(u)
		if _, err := ri.Get(ctx, u.GetName(), metav1.GetOptions{}); err == nil {
			t.Fatalf("dry run persisted Deployment %s", u.GetName())
		}
	}

	live, err := apply(ctx, objs, false)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	for _, w := range warnings.take() {
		if strings.Contains(w, "PodSecurity") || strings.Contains(w, "violate") {
			t.Errorf("Pod Security warning: %s", w)
		}
	}

	// The timing rules, read back from what the server stored.
	var liveMaps []map[string]any
	for _, u := range live {
		liveMaps = append(liveMaps, u.Object)
	}
	groups, err := check.Decode(liveMaps)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if tg, ok := targetGroups[g.Deployment.Namespace+"/"+g.Deployment.Name]; ok {
			g.TargetGroup = tg
		}
		if g.HPA != nil {
			// The server always fills in spec.replicas; what matters live is
			// that we do not own it, so our applies never fight the
			// autoscaler.
			if strings.Contains(ownFieldsOf(g.Deployment.ManagedFields), `"f:replicas"`) {
				t.Errorf("%s/%s: our field manager owns spec.replicas next to an autoscaler", g.Deployment.Namespace, g.Deployment.Name)
			}
			g.Deployment.Spec.Replicas = nil
		}
		if _, v := check.Objects(g); len(v) > 0 {
			t.Errorf("live %s/%s breaks the timing model: %v", g.Deployment.Namespace, g.Deployment.Name, v)
		}
	}

	// Selection, on live pods, once the pods exist and are available.
	for _, g := range groups {
		d := g.Deployment
		timeout := time.Duration(d.Spec.MinReadySeconds)*time.Second + 90*time.Second
		if g.HPA != nil {
			// Let the autoscaler bring the Deployment up to its minimum.
			min := *g.HPA.Spec.MinReplicas
			err := controlplane.Poll(ctx, time.Minute, func() (bool, error) {
				live, err := cs.AppsV1().Deployments(d.Namespace).Get(ctx, d.Name, metav1.GetOptions{})
				return err == nil && *live.Spec.Replicas >= min, err
			})
			if err != nil {
				t.Errorf("%s/%s: the autoscaler never scaled to its minimum %d: %v", d.Namespace, d.Name, min, err)
				continue
			}
		}
		if _, err := waitAvailable(ctx, d.Namespace, d.Name, timeout); err != nil {
			t.Errorf("%v", err)
			continue
		}
		if problems := waitNoProblems(ctx, d.Namespace, d.Name, 30*time.Second); len(problems) > 0 {
			t.Errorf("%s/%s: %s", d.Namespace, d.Name, strings.Join(problems, "; "))
		}
	}

	// Applying the same objects again changes nothing: same generation and
	// the same managed-fields entry for our field manager (controllers may
	// update status meanwhile, which moves resourceVersion, not these).
	// Read them fresh first: controllers and autoscalers write meanwhile.
	var current []*unstructured.Unstructured
	for _, u := range live {
		ri, err := resourceFor(u)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := ri.Get(ctx, u.GetName(), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		current = append(current, cur)
	}
	again, err := apply(ctx, objs, false)
	if err != nil {
		t.Fatalf("second apply: %v", err)
	}
	for i := range again {
		before, after := current[i], again[i]
		if before.GetGeneration() != after.GetGeneration() || ownFields(before) != ownFields(after) {
			t.Errorf("re-applying %s %s/%s changed it (generation %d → %d, managed fields %s → %s)", after.GetKind(), after.GetNamespace(), after.GetName(),
				before.GetGeneration(), after.GetGeneration(), ownFields(before), ownFields(after))
		}
	}
}

// ownFields is our field manager's managed-fields entry, time included:
// a no-op apply leaves it untouched.
func ownFields(u *unstructured.Unstructured) string {
	return ownFieldsOf(u.GetManagedFields())
}

func ownFieldsOf(entries []metav1.ManagedFieldsEntry) string {
	for _, mf := range entries {
		if mf.Manager == fieldOwner && mf.Operation == metav1.ManagedFieldsOperationApply {
			b, _ := json.Marshal(mf)
			return string(b)
		}
	}
	return "<none>"
}

func TestExamplesPassTheRealAPIServer(t *testing.T) {
	need(t)
	paths, err := filepath.Glob("../../examples/*/*.zds.yaml")
	if err != nil || len(paths) < 3 {
		t.Fatalf("examples: %v %v", paths, err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			t.Parallel()
			objs, _ := exampleManifests(t, path, "")
			serverSideValidate(t, objs)
		})
	}
}

func intp(v int) *int { return &v }

// Varied specs, pins at the edge of each rule.
func TestVariedSpecsPassTheRealAPIServer(t *testing.T) {
	need(t)
	base := func(ns string) zds.ServiceSpec {
		return zds.ServiceSpec{Namespace: ns, Image: "ghcr.io/acme/web:1.0.0", App: zds.App{MaxRequestSeconds: 15}}
	}
	cases := map[string]func(s *zds.ServiceSpec){
		"two-replicas": func(s *zds.ServiceSpec) { s.Replicas = intp(2) },
		"one-replica-accepting-downtime": func(s *zds.ServiceSpec) {
			s.Replicas, s.AcceptDowntime = intp(1), true
		},
		"rules-1-2-3-4-at-the-edge": func(s *zds.ServiceSpec) {
			// D = L + R = 25 + 30, P = L, P + S = D + 1, G = P + S + 1.
			s.App = zds.App{MaxRequestSeconds: 30, ShutdownSeconds: intp(31)}
			s.Timing = zds.Timing{DeregistrationDelaySeconds: intp(55), PreStopSleepSeconds: intp(25), TerminationGracePeriodSeconds: intp(57)}
		},
		"rule-3-at-the-edge": func(s *zds.ServiceSpec) {
			// D = L + R = 10 + 20, P + S = D + 1.
			s.App = zds.App{MaxRequestSeconds: 20, ShutdownSeconds: intp(5)}
			s.LoadBalancer.PropagationSeconds = intp(10)
			s.Timing = zds.Timing{DeregistrationDelaySeconds: intp(30), PreStopSleepSeconds: intp(26)}
		},
		"long-requests": func(s *zds.ServiceSpec) {
			s.App = zds.App{MaxRequestSeconds: 900, ShutdownSeconds: intp(60), StartupSeconds: intp(300)}
		},
		"exec-prestop-liveness-health-port": func(s *zds.ServiceSpec) {
			s.Pod.PreStopHook = "exec"
			s.Liveness = zds.Liveness{Enabled: true, Path: "/livez"}
			s.HealthCheck = zds.HealthCheck{Path: "/ready", Port: intp(9090), SuccessCodes: "200-299"}
			s.Env = []zds.EnvVar{{Name: "MODE", Value: "e2e"}}
			s.Resources = zds.Resources{Limits: zds.ResourceList{CPU: "500m", Memory: "256Mi"}}
			s.Version = "1.0.0"
		},
		"many-replicas-wide-surge": func(s *zds.ServiceSpec) {
			s.Replicas, s.Rollout.MaxSurge, s.Disruption.MaxUnavailable = intp(10), intp(3), intp(2)
		},
		"tls-group-idle-timeout": func(s *zds.ServiceSpec) {
			s.LoadBalancer = zds.LoadBalancer{
				Scheme: "internet-facing", Host: "app.example.com", Paths: []string{"/", "/v2"},
				CertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
				GroupName:      "shared", GroupOrder: intp(5), IdleTimeoutSeconds: intp(120),
			}
			s.App.KeepAliveTimeoutSeconds = intp(125)
		},
		"creates-its-namespace": func(s *zds.ServiceSpec) { s.CreateNamespace = true },
		"secrets-config-volumes-identity-scheduling": func(s *zds.ServiceSpec) {
			// References only: the Secrets and ConfigMaps need not exist
			// for the objects to be accepted (kwok runs no containers).
			ref := corev1.LocalObjectReference{Name: "app-config"}
			s.Env = []zds.EnvVar{
				{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}},
				{Name: "LOG_LEVEL", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: ref, Key: "log.level"}}},
				{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
				{Name: "GOMEMLIMIT", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.memory"}}},
			}
			s.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: ref}, Prefix: "APP_"}}
			s.Volumes = []zds.Volume{
				{Name: "config", ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: ref}},
				{Name: "tls", Secret: &corev1.SecretVolumeSource{SecretName: "web-tls"}},
				{Name: "cache", EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}},
				{Name: "token", Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Audience: "vault", Path: "token"}}}}},
			}
			s.VolumeMounts = []corev1.VolumeMount{
				{Name: "config", MountPath: "/etc/app", ReadOnly: true},
				{Name: "tls", MountPath: "/etc/tls", ReadOnly: true},
				{Name: "cache", MountPath: "/var/cache/app"},
				{Name: "token", MountPath: "/var/run/secrets/vault"},
			}
			s.Pod.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "registry"}}
			// Created before the Deployment: the API server refuses pods
			// whose service account does not exist yet.
			s.ServiceAccount = zds.ServiceAccount{Create: true, Annotations: map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/web"}}
			// Pod Security restricted also applies to init containers.
			s.InitContainers = []zds.InitContainer{{
				Name: "migrate", Image: "ghcr.io/acme/web:1.0.0", Command: []string{"/web", "migrate"},
				EnvFrom:      []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}}},
				VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/app", ReadOnly: true}},
			}}
			// A native proxy on the request path and a classic log shipper:
			// restartPolicy Always on an init container, under restricted.
			s.Sidecars = []zds.Sidecar{
				{Name: "proxy", Image: "ghcr.io/acme/proxy:1.0.0", OnRequestPath: true},
				{Name: "logs", Image: "ghcr.io/acme/logs:1.0.0", Classic: true},
			}
			s.Pod.NodeSelector = map[string]string{"type": "kwok"}
			s.Pod.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "web", Effect: corev1.TaintEffectNoSchedule}}
			s.Pod.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/arch", Operator: corev1.NodeSelectorOpIn, Values: []string{"amd64"}}}}},
			}}}
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := base("case-" + name)
			mutate(&s)
			serverSideValidate(t, specManifests(t, "svc", s))
		})
	}
}

// Breaking an emitted object must make a check fail: the real API server
// rejects a removed API and reports Pod Security violations, and the live
// selection check catches a budget that protects nothing.
func TestBrokenObjectsAreCaught(t *testing.T) {
	need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ns := "case-broken"
	restrictedNamespace(t, ctx, ns)
	objs := specManifests(t, "svc", zds.ServiceSpec{Namespace: ns, Image: "ghcr.io/acme/web:1.0.0", App: zds.App{MaxRequestSeconds: 15}})
	find := func(kind string) map[string]any {
		for _, o := range objs {
			if o["kind"] == kind {
				return o
			}
		}
		t.Fatalf("no %s", kind)
		return nil
	}

	t.Run("policy/v1beta1 PodDisruptionBudget", func(t *testing.T) {
		pdb := deepCopy(find("PodDisruptionBudget"))
		pdb["apiVersion"] = "policy/v1beta1"
		_, err := applyOne(ctx, pdb, true, fieldOwner)
		if err == nil || !strings.Contains(err.Error(), "no matches for kind") {
			t.Errorf("policy/v1beta1 must be rejected, got %v", err)
		}
	})

	t.Run("privilege escalation under Pod Security restricted", func(t *testing.T) {
		dep := deepCopy(find("Deployment"))
		ctr := dep["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
		ctr["securityContext"].(map[string]any)["allowPrivilegeEscalation"] = true
		warnings.take()
		if _, err := applyOne(ctx, dep, true, fieldOwner); err != nil {
			t.Fatalf("dry run: %v", err)
		}
		got := strings.Join(warnings.take(), "\n")
		if !strings.Contains(got, "allowPrivilegeEscalation") {
			t.Errorf("the server did not flag the escalation; warnings: %q", got)
		}
	})

	t.Run("PodDisruptionBudget selecting nothing", func(t *testing.T) {
		if _, err := apply(ctx, objs, false); err != nil {
			t.Fatal(err)
		}
		pdb := deepCopy(find("PodDisruptionBudget"))
		pdb["spec"].(map[string]any)["selector"] = map[string]any{"matchLabels": map[string]any{"app": "nothing"}}
		if _, err := applyOne(ctx, pdb, false, fieldOwner); err != nil {
			t.Fatal(err)
		}
		if _, err := waitAvailable(ctx, ns, "svc", 2*time.Minute); err != nil {
			t.Fatal(err)
		}
		problems, err := liveSelectionProblems(ctx, ns, "svc")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(problems, "\n"), "PodDisruptionBudget selects []") {
			t.Errorf("a budget selecting nothing went unnoticed: %v", problems)
		}
	})
}

func deepCopy(m map[string]any) map[string]any {
	return (&unstructured.Unstructured{Object: m}).DeepCopy().Object
}

// installTargetGroupBindingCRD installs the fixture CRD and waits until the
// API server serves it.
func installTargetGroupBindingCRD(t *testing.T, ctx context.Context) {
	t.Helper()
	data, err := os.ReadFile("testdata/targetgroupbinding-crd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var crd map[string]any
	if err := yaml.Unmarshal(data, &crd); err != nil {
		t.Fatal(err)
	}
	if _, err := applyOne(ctx, crd, false, "zds-e2e-setup"); err != nil {
		t.Fatal(err)
	}
	err = controlplane.Poll(ctx, time.Minute, func() (bool, error) {
		mapper.(interface{ Reset() }).Reset()
		_, err := mapper.RESTMapping(schema.GroupKind{Group: "elbv2.k8s.aws", Kind: "TargetGroupBinding"}, "v1beta1")
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("the TargetGroupBinding CRD was never served: %v", err)
	}
}

// A targetGroupBinding service (TargetGroup and ListenerRule in AWS, the
// TargetGroupBinding in the cluster) and an NLB and an autoscaled service
// with pins, through the real API server.
func TestLoadBalancerModesPassTheRealAPIServer(t *testing.T) {
	need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	installTargetGroupBindingCRD(t, ctx)

	ns := "case-target-group-binding"
	rec := specRecording(t, "billing", zds.ServiceSpec{
		Namespace: ns, Image: "ghcr.io/acme/billing:3.3.0", Replicas: intp(3),
		App: zds.App{MaxRequestSeconds: 20, ShutdownSeconds: intp(10)},
		LoadBalancer: zds.LoadBalancer{
			Kind: "targetGroupBinding", VpcId: "vpc-0123456789abcdef0", Host: "billing.example.com",
			ListenerArn:          "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/platform/0123456789abcdef/0123456789abcdef",
			ListenerRulePriority: intp(120),
		},
	})
	services, err := rec.Services()
	if err != nil {
		t.Fatal(err)
	}
	tgs := map[string]*manifests.TargetGroup{}
	for _, g := range services {
		if g.TargetGroup == nil {
			t.Fatalf("no target group recorded for %s", g.Deployment.Name)
		}
		tgs[g.Deployment.Namespace+"/"+g.Deployment.Name] = g.TargetGroup
	}
	serverSideValidateWith(t, rec.Manifests(), tgs)

	// The binding the server stored points at the target group and the
	// Service port.
	tgb, err := dyn.Resource(schema.GroupVersionResource{Group: "elbv2.k8s.aws", Version: "v1beta1", Resource: "targetgroupbindings"}).
		Namespace(ns).Get(ctx, "billing", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	arn, _, _ := unstructured.NestedString(tgb.Object, "spec", "targetGroupARN")
	if !strings.HasPrefix(arn, "arn:aws:mock:aws:lb/targetGroup:TargetGroup:") {
		t.Errorf("targetGroupARN %q is not the target group's ARN", arn)
	}
}
