// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package preview

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/check"
	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/timing"
)

// Main is a Pulumi program's main: under the Pulumi CLI (which sets
// PULUMI_MONITOR) it is exactly pulumi.Run(program); run directly (`go run
// ./examples/basic`) it runs program in-process under the mock monitor and
// prints what it would create, with the timings read back from the objects.
func Main(program pulumi.RunFunc) {
	if os.Getenv("PULUMI_MONITOR") != "" {
		pulumi.Run(program)
		return
	}
	rec, err := Run(program)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := rec.Print(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Services groups the recorded objects per service, with the AWS target
// group a targetGroupBinding service creates attached, ready for
// check.Objects.
func (r *Recording) Services() ([]*manifests.Objects, error) {
	groups, err := check.Decode(r.Manifests())
	if err != nil {
		return nil, err
	}
	resources := r.Resources()
	for _, g := range groups {
		if g.TargetGroupBinding == nil {
			continue
		}
		// The target group is a sibling of the service's Deployment.
		var parent string
		for _, res := range resources {
			if res.Type == "kubernetes:apps/v1:Deployment" && get(res.Inputs, "metadata", "name") == g.Deployment.Name && get(res.Inputs, "metadata", "namespace") == g.Deployment.Namespace {
				parent = res.Parent
			}
		}
		for _, res := range resources {
			if res.Type == "aws:lb/targetGroup:TargetGroup" && res.Parent == parent {
				g.TargetGroup = check.TargetGroupFromInputs(res.Inputs)
			}
		}
	}
	return groups, nil
}

func get(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, _ := cur.(map[string]any)
		cur = mm[p]
	}
	return cur
}

// Manifests returns the inputs of every Kubernetes resource, in creation
// order: the objects a provider would apply. A NamespacePatch appears as the
// Namespace it patches.
func (r *Recording) Manifests() []map[string]any {
	var out []map[string]any
	for _, res := range r.Resources() {
		if res.Custom && strings.HasPrefix(res.Type, "kubernetes:") && res.Type != "pulumi:providers:kubernetes" {
			out = append(out, res.Inputs)
		}
	}
	return out
}

// YAML renders Manifests as a multi-document YAML stream.
func (r *Recording) YAML() ([]byte, error) { return render.YAML(r.Manifests()) }

// Print writes the resource tree, the timing chain of every service (read
// back from the objects and checked against every rule), and the manifests.
func (r *Recording) Print(w io.Writer) error {
	fmt.Fprintln(w, "# Resources (children in creation order, with what each waits for):")
	order := r.Resources()
	children := map[string][]*Resource{}
	known := map[string]bool{}
	for _, res := range order {
		known[res.URN] = true
	}
	for _, res := range order {
		parent := res.Parent
		if !known[parent] {
			parent = ""
		}
		children[parent] = append(children[parent], res)
	}
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, res := range children[parent] {
			deps := ""
			if len(res.DependsOn) > 0 {
				var names []string
				for _, d := range res.DependsOn {
					names = append(names, shortURN(d))
				}
				deps = "  after " + strings.Join(names, ", ")
			}
			fmt.Fprintf(w, "#   %s%s %s%s\n", strings.Repeat("  ", depth), res.Type, res.Name, deps)
			walk(res.URN, depth+1)
		}
	}
	walk("", 0)
	groups, err := r.Services()
	if err != nil {
		return err
	}
	failed := false
	for _, g := range groups {
		ch, violations := check.Objects(g)
		fmt.Fprintf(w, "#\n# Timing chain of %s/%s (read back from the objects):\n", ch.Namespace, ch.Name)
		fmt.Fprintf(w, "#   longest request R=%ds, shutdown S=%ds, propagation L=%ds\n", ch.MaxRequestSeconds, ch.ShutdownSeconds, ch.PropagationSeconds)
		fmt.Fprintf(w, "#   %s\n", timing.Summary(ch.TerminationGracePeriodSeconds, ch.PreStopSleepSeconds, ch.ShutdownSeconds,
			ch.DeregistrationDelaySeconds, ch.PropagationSeconds, ch.MaxRequestSeconds))
		fmt.Fprintf(w, "#   minReadySeconds=%d, progressDeadlineSeconds=%d\n", ch.MinReadySeconds, ch.ProgressDeadlineSeconds)
		if len(violations) == 0 {
			fmt.Fprintln(w, "#   every rule of the timing model holds")
		}
		for _, v := range violations {
			failed = true
			fmt.Fprintf(w, "#   VIOLATION %s\n", v)
		}
	}
	y, err := r.YAML()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "---\n%s", y)
	if failed {
		return fmt.Errorf("the objects break the timing model (see VIOLATION above)")
	}
	return nil
}

func qualifiedType(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return ""
	}
	return parts[2]
}

func shortURN(urn string) string {
	q := qualifiedType(urn)
	t := q[strings.LastIndex(q, "$")+1:]
	return t[strings.LastIndex(t, ":")+1:] + "/" + urn[strings.LastIndex(urn, "::")+2:]
}
