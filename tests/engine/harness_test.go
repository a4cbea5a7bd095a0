// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package engine runs ZeroDowntimeService under the real Pulumi engine: the
// Pulumi CLI, the Kubernetes provider plugin and the YAML language host that
// build.sh builds from the Go module proxy, against the real control plane of
// tests/controlplane, with fakelbc standing in for the AWS Load Balancer
// Controller's status side (load balancer hostnames, readiness gates). Go
// programs run through the automation API's inline programs; the YAML
// program through the component provider, pulumi-resource-zds, built from
// this tree.
package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"

	"github.com/zerodowntime/zds/tests/controlplane"
	"github.com/zerodowntime/zds/tests/engine/enginetest"
	"github.com/zerodowntime/zds/tests/fakelbc"
)

// The stand-in controller's delays: short, so a rollout is quick, but a
// gate that is never set still shows.
const (
	provisioning = 2 * time.Second
	registration = 3 * time.Second
)

var (
	cp        *controlplane.ControlPlane
	lbc       *fakelbc.Controller
	unusable  string // why the engine or the control plane is not there
	engineDir string // the cached engine build (bin/pulumi, plugins)
	zdsBin    string // the directory holding pulumi-resource-zds
	home      string // PULUMI_HOME, shared by every stack of this run
	cs        kubernetes.Interface
	dyn       dynamic.Interface
	mapper    meta.RESTMapper
)

func TestMain(m *testing.M) {
	code := func() int {
		tmp, err := os.MkdirTemp("", "zds-engine-")
		if err != nil {
			unusable = err.Error()
			return m.Run()
		}
		defer os.RemoveAll(tmp)
		if err := setUp(tmp); err != nil {
			unusable = err.Error()
		}
		defer func() {
			if err := lbc.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "fakelbc:", err)
			}
			cp.Stop()
		}()
		return m.Run()
	}()
	os.Exit(code)
}

func setUp(tmp string) error {
	var err error
	if engineDir, err = enginetest.Dir(); err != nil {
		return err
	}

	// The component provider, from this tree.
	zdsBin = filepath.Join(tmp, "zds-bin")
	build := exec.Command("go", "build", "-o", filepath.Join(zdsBin, "pulumi-resource-zds"), "./cmd/pulumi-resource-zds")
	build.Dir = filepath.Join(sourceDir(), "..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building pulumi-resource-zds: %v\n%s", err, out)
	}
	home = filepath.Join(tmp, "pulumi-home")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cp, err = controlplane.Start(ctx, controlplane.Options{Nodes: 2, GatesFromController: true})
	if err != nil {
		return err
	}
	if err := fakelbc.InstallGateInjector(ctx, cp.Config); err != nil {
		return err
	}
	lbc, err = fakelbc.Start(cp.Config, fakelbc.Options{Provisioning: provisioning, Registration: registration})
	if err != nil {
		return err
	}
	cs = kubernetes.NewForConfigOrDie(cp.Config)
	dyn = dynamic.NewForConfigOrDie(cp.Config)
	dc := discovery.NewDiscoveryClientForConfigOrDie(cp.Config)
	mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	return nil
}

func sourceDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// need skips (locally) or fails (in CI) a test when the engine or the
// control plane is missing.
func need(t *testing.T) {
	t.Helper()
	if unusable == "" {
		if err := cp.Alive(); err != nil {
			t.Fatalf("control plane died: %v", err)
		}
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("the Pulumi engine and the real control plane are required in CI:\n%s", unusable)
	}
	line, _, _ := strings.Cut(unusable, "\n")
	t.Skipf("no Pulumi engine or control plane (run `make engine controlplane`, or `make engine-test`): %s", line)
}

// engine is where every stack of this run lives: the engine's plugins
// and the component provider on PATH, the control plane's kubeconfig for
// providers that take it from the environment, and overrides.
func engine(overrides map[string]string) enginetest.Stack {
	vars := map[string]string{"KUBECONFIG": cp.Kubeconfig}
	for k, v := range overrides {
		vars[k] = v
	}
	return enginetest.Stack{EngineDir: engineDir, Home: home, Env: enginetest.Env(engineDir, []string{zdsBin}, vars)}
}

// backend is a new local state backend for one test's stacks.
func backend(t *testing.T) string {
	return "file://" + t.TempDir()
}

// goStack is an inline Go program's stack on a backend.
func goStack(t *testing.T, ctx context.Context, backendURL, stack string, program pulumi.RunFunc) auto.Stack {
	t.Helper()
	s, err := engine(nil).Inline(ctx, "zds-engine", stack, backendURL, program)
	if err != nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	return s
}

// logWriter sends the engine's progress to the test log, a line at a time,
// so a CI log shows what a slow update waits for.
type logWriter struct {
	t   *testing.T
	buf bytes.Buffer
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			return len(p), nil
		}
		if s := strings.TrimRight(line, "\n"); strings.TrimSpace(s) != "" {
			w.t.Log(s)
		}
	}
}

func progress(t *testing.T) *logWriter { return &logWriter{t: t} }
