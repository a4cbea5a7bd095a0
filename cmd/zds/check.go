// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/zerodowntime/zds/components/audit"
)

// findingsError is a check that found something at or above --fail-on
// (exit 1; the report is already written).
type findingsError struct{ n int }

func (e findingsError) Error() string {
	return fmt.Sprintf("%d finding(s) at or above --fail-on", e.n)
}

func newCheck(stdout io.Writer) *cobra.Command {
	var files []string
	var failOn, colour string
	var opts struct{ r, s, l int }
	var cluster struct {
		on, all                        bool
		kubeconfig, context, namespace string
	}
	cmd := &cobra.Command{
		Use:   "check (-f FILE|DIR|- [-f ...] | --cluster [--context C] [-n NS | -A]) [-o text|json|sarif] [--fail-on error|warning|info]",
		Short: "Find the timing-chain bugs in Kubernetes manifests you already run (Helm, kustomize, plain YAML)",
		Long: `check reads any Kubernetes manifests (multi-document YAML, JSON, List kinds;
Helm template and kustomize build output as they come), groups them into
services (a Deployment, the Services selecting its pods, the ALB Ingresses,
NLB Services or TargetGroupBindings serving them, its budgets, namespace and
autoscalers), reads the target groups the AWS Load Balancer Controller would
build with the controller's own annotation parser, and checks every rule of
the timing model the objects decide, in the words and numbering of zds
explain. Each finding has a severity (error: drops requests; warning: risky;
info), the object and field, the numbers and the smallest fix to paste.

With --cluster it reads the same kinds live (kubeconfig as kubectl: $KUBECONFIG
or ~/.kube/config, --context, -n or the context's namespace, -A for all),
and the pods: it also flags running pods without the readiness gate in a
labelled namespace and budgets that allow no disruption now.

R, S and L come from the Deployment's zds.dev/* annotations, else the flags,
else defaults the report names. Exit 0: nothing at or above --fail-on; 1:
findings at or above it, or unreadable input (named file:line); 2: usage.`,
		Example: `  helm template my-release ./chart | zds check -f -
  kustomize build overlays/prod | zds check -f - -o sarif > zds.sarif
  zds check -f manifests/ --max-request-seconds 20 --fail-on warning
  zds check --cluster --context prod -A`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := outputFlag(cmd, "text", "json", "sarif")
			if err != nil {
				return err
			}
			threshold, err := audit.ParseSeverity(failOn)
			if err != nil {
				return usagef("--fail-on: %v", err)
			}
			switch {
			case cluster.on && len(files) > 0:
				return usagef("pass manifests with -f or read a cluster with --cluster, not both")
			case !cluster.on && len(files) == 0:
				return usagef("no manifests: pass -f FILE, -f DIR or -f - (standard input), or --cluster")
			case !cluster.on && (cluster.all || cluster.context != "" || cluster.kubeconfig != ""):
				return usagef("--context, --kubeconfig and -A go with --cluster")
			case cluster.all && cluster.namespace != "":
				return usagef("-n and -A exclude each other")
			case colour != "auto" && colour != "always" && colour != "never":
				return usagef("--color must be auto, always or never, not %q", colour)
			}
			if cluster.namespace != "" {
				if errs := validation.IsDNS1123Label(cluster.namespace); len(errs) > 0 {
					return usagef("-n %q is not a namespace name: %s", cluster.namespace, strings.Join(errs, "; "))
				}
			}
			var o audit.Options
			for _, f := range []struct {
				name string
				v    int
				into **int
			}{{"max-request-seconds", opts.r, &o.MaxRequestSeconds}, {"shutdown-seconds", opts.s, &o.ShutdownSeconds}, {"propagation-seconds", opts.l, &o.PropagationSeconds}} {
				if cmd.Flags().Changed(f.name) {
					if f.v < 0 || f.v > 3600 {
						return usagef("--%s must be from 0 to 3600 seconds, not %d", f.name, f.v)
					}
					v := f.v
					*f.into = &v
				}
			}
			var report *audit.Report
			if cluster.on {
				live, err := readCluster(cmd.Context(), cluster.kubeconfig, cluster.context, cluster.namespace, cluster.all)
				if err != nil {
					return err
				}
				report = audit.CheckLive(live, o)
			} else {
				objs, problems := audit.Load(cmd.InOrStdin(), files...)
				if cluster.namespace != "" {
					audit.InNamespace(objs, cluster.namespace)
				}
				report = audit.Check(objs, o)
				report.Problems = append(problems, report.Problems...)
			}
			switch format {
			case "json":
				err = audit.JSON(stdout, report)
			case "sarif":
				err = audit.SARIF(stdout, report, currentVersion())
			default:
				err = audit.Text(stdout, report, useColour(colour, stdout))
			}
			if err != nil {
				return err
			}
			for _, p := range report.Problems {
				fmt.Fprintln(cmd.ErrOrStderr(), "zds: "+p.String())
			}
			if len(report.Problems) > 0 {
				return fmt.Errorf("%d input(s) could not be read", len(report.Problems))
			}
			if n := report.Count(threshold); n > 0 {
				return findingsError{n}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "manifest file or directory, or - for standard input (repeatable)")
	cmd.Flags().StringP("output", "o", "text", "output format: text, json or sarif (SARIF 2.1.0, for code scanning)")
	cmd.Flags().StringVar(&failOn, "fail-on", "error", "exit 1 when a finding is at or above this severity: error, warning or info")
	cmd.Flags().BoolVar(&cluster.on, "cluster", false, "read the objects and pods from a cluster instead of files")
	cmd.Flags().StringVar(&cluster.kubeconfig, "kubeconfig", "", "kubeconfig file (default $KUBECONFIG or ~/.kube/config)")
	cmd.Flags().StringVar(&cluster.context, "context", "", "kubeconfig context (default the current one)")
	cmd.Flags().StringVarP(&cluster.namespace, "namespace", "n", "", "with --cluster, the namespace to read (default the context's); with -f, the namespace of objects that name none (as helm template -n)")
	cmd.Flags().BoolVarP(&cluster.all, "all-namespaces", "A", false, "read every namespace")
	cmd.Flags().StringVar(&colour, "color", "auto", "colour the text output: auto (on a terminal), always or never")
	cmd.Flags().IntVar(&opts.r, "max-request-seconds", 0, "R, the longest request, where no zds.dev/max-request-seconds annotation says it (default 30)")
	cmd.Flags().IntVar(&opts.s, "shutdown-seconds", 0, "S, the app's shutdown after SIGTERM, where no zds.dev/shutdown-seconds annotation says it (default R)")
	cmd.Flags().IntVar(&opts.l, "propagation-seconds", 0, "L, the load balancer's propagation, where no zds.dev/propagation-seconds annotation says it (default: the mode's, 25 for an ALB, 120 for an NLB)")
	return cmd
}

// readCluster reads a cluster as kubectl would find it.
func readCluster(ctx context.Context, kubeconfig, kubeContext, namespace string, all bool) (*audit.Live, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	if namespace == "" && !all {
		if namespace, _, err = cc.Namespace(); err != nil {
			return nil, fmt.Errorf("reading the context's namespace: %w", err)
		}
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	return audit.FromCluster(ctx, cs, dyn, namespace)
}

func useColour(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && os.Getenv("NO_COLOR") == ""
}
