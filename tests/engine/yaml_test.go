// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// yamlProgram writes examples/yaml/Pulumi.yaml into a new directory with
// its package pointing at the plugin built from this tree (packages: takes
// the directory holding pulumi-resource-zds) instead of the release, the
// local backend, and the service in namespace ns. edit may change the
// program's text further.
func yamlProgram(t *testing.T, ns string, edit func(string) string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(sourceDir(), "..", "..", "examples", "yaml", "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	for old, repl := range map[string]string{
		"packages:\n  zds: github.com/zerodowntime/zds@v0.2.0\n": "packages:\n  zds: " + zdsBin + "\nbackend:\n  url: " + backend(t) + "\n",
		"namespace: shop\n": "namespace: " + ns + "\n",
	} {
		if !strings.Contains(text, old) {
			t.Fatalf("examples/yaml/Pulumi.yaml no longer holds %q", old)
		}
		text = strings.Replace(text, old, repl, 1)
	}
	if edit != nil {
		text = edit(text)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func yamlStack(t *testing.T, ctx context.Context, dir, stack string, envOverrides map[string]string) auto.Stack {
	t.Helper()
	opts, err := engine(envOverrides).Options("", "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := auto.UpsertStackLocalSource(ctx, stack, dir, opts...)
	if err != nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	return s
}

// The YAML example, through the component provider pulumi-resource-zds and
// the YAML language host: the objects of examples/basic/service.zds.yaml
// (which the Go example also creates), a second up that changes nothing,
// and a clean destroy. Its Kubernetes provider is an explicit one, given to
// the component: with no usable default (KUBECONFIG names no file), every
// child must get it.
func TestYAMLProgram(t *testing.T) {
	need(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const ns = "yaml-shop"
	withProvider := func(s string) string {
		s = strings.Replace(s, "resources:\n", "resources:\n  k8s:\n    type: pulumi:providers:kubernetes\n    properties:\n      kubeconfig: "+cp.Kubeconfig+"\n", 1)
		return strings.Replace(s, "    type: zds:index:ZeroDowntimeService\n", "    type: zds:index:ZeroDowntimeService\n    options:\n      providers:\n        - ${k8s}\n", 1)
	}
	stack := yamlStack(t, ctx, yamlProgram(t, ns, withProvider), "yaml", map[string]string{"KUBECONFIG": filepath.Join(t.TempDir(), "none")})
	t.Cleanup(func() {
		if _, err := stack.Destroy(context.Background(), optdestroy.ProgressStreams(progress(t))); err != nil {
			t.Errorf("destroy: %v", err)
		}
	})

	res, err := stack.Up(ctx, optup.ProgressStreams(progress(t)))
	if err != nil {
		t.Fatalf("pulumi up: %v", err)
	}
	basic, err := os.ReadFile(filepath.Join(sourceDir(), "..", "..", "examples", "basic", "service.zds.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := docs(t, strings.Replace(string(basic), "namespace: shop\n", "namespace: "+ns+"\n", 1))
	liveEqualsRender(t, ctx, want)
	rolledOutWithGates(t, ctx, ns, "web", want[0].Spec.Image)
	if got, want := res.Outputs["preStopSleepSeconds"].Value, float64(want[0].Resolved.Timing.PreStopSleepSeconds); got != want {
		t.Errorf("output preStopSleepSeconds = %v, want %v", got, want)
	}
	ing, err := cs.NetworkingV1().Ingresses(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Outputs["url"].Value; len(ing.Status.LoadBalancer.Ingress) == 0 || got != ing.Status.LoadBalancer.Ingress[0].Hostname {
		t.Errorf("output url = %v, want the Ingress's hostname %v", got, ing.Status.LoadBalancer.Ingress)
	}

	again, err := stack.Up(ctx, optup.ProgressStreams(progress(t)))
	if err != nil {
		t.Fatalf("second pulumi up: %v", err)
	}
	if got := changes(again.Summary.ResourceChanges); len(got) != 0 {
		t.Errorf("second up: changes %v, want none", got)
	}
}

// A YAML program with a spec that breaks a rule: preview and up fail with
// the input's path, the rule and the fix, and create nothing.
func TestYAMLProgramInvalidSpec(t *testing.T) {
	need(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const ns = "yaml-invalid"
	dir := yamlProgram(t, ns, func(s string) string {
		return strings.Replace(s, "      loadBalancer:", "      timing: {deregistrationDelaySeconds: 10}\n      loadBalancer:", 1)
	})
	stack := yamlStack(t, ctx, dir, "invalid", nil)
	const want = "timing.deregistrationDelaySeconds: Invalid value: 10: rule 1 (D ≥ L + R)"
	const fix = "raise it to at least 40"

	var out bytes.Buffer
	_, err := stack.Preview(ctx, optpreview.ProgressStreams(&out))
	if msg := errText(err, &out); err == nil || !strings.Contains(msg, want) || !strings.Contains(msg, fix) {
		t.Errorf("preview: error %v, want one with %q and %q\n%s", err, want, fix, out.String())
	}
	out.Reset()
	_, err = stack.Up(ctx, optup.ProgressStreams(&out))
	if msg := errText(err, &out); err == nil || !strings.Contains(msg, want) {
		t.Errorf("up: error %v, want one with %q\n%s", err, want, out.String())
	}
	if _, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err == nil {
		t.Errorf("namespace %s exists after a failed up", ns)
	}
	dep := exportState(t, ctx, stack)
	for _, r := range dep.Resources {
		if strings.HasPrefix(string(r.Type), "kubernetes:") || strings.HasPrefix(string(r.Type), "zds:") {
			t.Errorf("the state holds %s after a failed up", r.URN)
		}
	}
}

// `pulumi package get-schema` of the plugin built from this tree is the
// committed schema, which the SDKs and docs are generated from.
func TestPackageGetSchema(t *testing.T) {
	need(t)
	t.Parallel()
	cmd := exec.Command(filepath.Join(engineDir, "bin", "pulumi"), "package", "get-schema", filepath.Join(zdsBin, "pulumi-resource-zds"))
	cmd.Env = os.Environ()
	for k, v := range engine(nil).Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "PULUMI_HOME="+home)
	// Not in this repository: its root holds both Pulumi.yaml and
	// PulumiPlugin.yaml, and `pulumi package` refuses to run there.
	cmd.Dir = t.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pulumi package get-schema: %v\n%s", err, stderr.String())
	}
	committed, err := os.ReadFile(filepath.Join(sourceDir(), "..", "..", "provider", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("get-schema printed no JSON: %v\n%s", err, out)
	}
	if err := json.Unmarshal(committed, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pulumi package get-schema differs from provider/schema.json")
	}
}
