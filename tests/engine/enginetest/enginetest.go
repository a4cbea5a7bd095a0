// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package enginetest runs Go programs under the real Pulumi engine that
// tests/engine/build.sh builds (make engine): it finds the cached build and
// makes automation-API stacks on a local backend, with the environment the
// engine needs here. The engine tests and the traffic harness share it.
package enginetest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Dir returns the cached engine build (bin/ holds the Pulumi CLI and the
// plugins), or an error naming the command that builds it.
func Dir() (string, error) {
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "build.sh")
	out, err := exec.Command("bash", script, "--dir").Output()
	if err != nil {
		return "", fmt.Errorf("%s --dir: %w", script, err)
	}
	dir := strings.TrimSpace(string(out))
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err != nil {
		return "", fmt.Errorf("no Pulumi engine in %s: run `make engine` (builds the Pulumi CLI, the Kubernetes provider and the YAML language host from the Go module proxy, ~13 min once)", dir)
	}
	return dir, nil
}

// Env is what the Pulumi CLI runs with: the engine's binaries, then
// pluginDirs, on PATH (ambient plugins), no plugin downloads, a passphrase
// for the local backend's secrets; extra is added last.
func Env(engineDir string, pluginDirs []string, extra map[string]string) map[string]string {
	path := append([]string{filepath.Join(engineDir, "bin")}, pluginDirs...)
	env := map[string]string{
		"PATH":                     strings.Join(append(path, os.Getenv("PATH")), string(os.PathListSeparator)),
		"PULUMI_CONFIG_PASSPHRASE": "zds-engine-tests",
		"PULUMI_SKIP_UPDATE_CHECK": "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_SKIP_CONFIRMATIONS":                   "true",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// Stack says where a stack lives and what its CLI runs with.
type Stack struct {
	// EngineDir is Dir's answer.
	EngineDir string
	// Home is PULUMI_HOME.
	Home string
	// Env is the CLI's environment (see Env).
	Env map[string]string
}

// Options are the automation API's workspace options for s and, for an
// inline program (project not ""), the project's settings with a file
// backend at backendURL.
func (s Stack) Options(project, backendURL string) ([]auto.LocalWorkspaceOption, error) {
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: s.EngineDir})
	if err != nil {
		return nil, err
	}
	opts := []auto.LocalWorkspaceOption{auto.Pulumi(cmd), auto.PulumiHome(s.Home), auto.EnvVars(s.Env)}
	if project != "" {
		opts = append(opts, auto.Project(workspace.Project{
			Name:    tokens.PackageName(project),
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: backendURL},
		}))
	}
	return opts, nil
}

// Inline upserts the stack of an inline Go program of a project, its state
// on the file backend at backendURL.
func (s Stack) Inline(ctx context.Context, project, stack, backendURL string, program pulumi.RunFunc) (auto.Stack, error) {
	opts, err := s.Options(project, backendURL)
	if err != nil {
		return auto.Stack{}, err
	}
	return auto.UpsertStackInlineSource(ctx, stack, project, program, opts...)
}
