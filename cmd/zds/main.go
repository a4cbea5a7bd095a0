// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command zds renders and explains ZeroDowntimeService spec files.
//
//	zds render  -f spec.yaml [-f dir] [-o yaml|json] [-d DIR]
//	zds explain -f spec.yaml [--svg FILE] [--output text|json]
//	zds check   -f manifests/ [-o text|json|sarif] [--fail-on error|warning|info]
//	zds schema
//	zds version
//
// Exit codes: 0 ok, 1 invalid input (nothing written), 2 usage error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/specfile"
)

// Exit codes.
const (
	exitOK      = 0
	exitInvalid = 1
	exitUsage   = 2
)

// usageError marks a mistake in how zds was called.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes zds with args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return runWith(args, os.Stdin, stdout, stderr)
}

// runWith is run with stdin given (what -f - reads).
func runWith(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdout)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "zds:", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	var ue usageError
	var inv *specfile.Invalid
	var specInv *spec.InvalidError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "Run 'zds --help' for usage.")
		return exitUsage
	case errors.As(err, &inv), errors.As(err, &specInv):
		return exitInvalid
	}
	var fe findingsError
	if errors.As(err, &fe) {
		return exitInvalid
	}
	return exitInvalid
}

func newRoot(stdout io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "zds",
		Short: "Zero-downtime services on EKS: render and explain ZeroDowntimeService spec files",
		Long: `zds renders ZeroDowntimeService spec files into the Kubernetes manifests the
Pulumi component would create (same builder, same order), and explains the
derived timings that keep rollouts, scale-downs and drains from dropping
requests behind AWS load balancers.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// A root with its own RunE gets its arguments checked: without one,
		// cobra answers an unknown command with help and exit 0.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q", args[0])
			}
			return cmd.Help()
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	// cobra's own help command prints the root help and exits 0 for a topic
	// it does not know.
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, rest, err := cmd.Root().Find(args)
			if err != nil || len(rest) > 0 || (len(args) > 0 && c == cmd.Root()) {
				return usagef("unknown help topic %q", strings.Join(args, " "))
			}
			return c.Help()
		},
	})
	root.AddCommand(newRender(stdout), newExplain(stdout), newCheck(stdout), newSchema(stdout), newVersion(stdout))
	for _, c := range root.Commands() {
		c.Args = noArgs
	}
	return root
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments (got %q); pass spec files with -f", cmd.CommandPath(), args)
	}
	return nil
}

// load reads the -f paths ("-" is standard input), requiring at least one;
// with -v it notes on stderr every file and document skipped in a
// directory.
func load(cmd *cobra.Command, files []string) ([]*specfile.Document, error) {
	if len(files) == 0 {
		return nil, usagef("no spec files: pass -f FILE or -f DIR")
	}
	opts := specfile.Options{Stdin: cmd.InOrStdin()}
	if v, _ := cmd.Flags().GetBool("verbose"); v {
		opts.Skipped = func(file string, line int, why string) {
			loc := file
			if line > 0 {
				loc = fmt.Sprintf("%s:%d", file, line)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "zds: note: skipped %s: %s\n", loc, why)
		}
	}
	return specfile.LoadWith(opts, files...)
}

// isFormatName tells an -o value that names an output format (kubectl's,
// or another zds command's) from one that may be a directory: -o wide is
// a format zds lacks, not a directory to suggest to --output-dir (#21).
func isFormatName(v string) bool {
	switch v {
	case "wide", "name", "table", "text", "sarif", "yaml", "json", "template", "templatefile", "go-template", "jsonpath":
		return true
	}
	return strings.Contains(v, "=") // jsonpath=..., custom-columns=...
}

func outputFlag(cmd *cobra.Command, allowed ...string) (string, error) {
	v, _ := cmd.Flags().GetString("output")
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	if cmd.Flags().Lookup("output-dir") != nil && !isFormatName(v) {
		// -o was the output directory before zds v0.2.0; kubectl users
		// read it as the format, and now so does zds.
		return "", usagef("-o (--output) is the output format, one of %s, as in kubectl, not %q; to write one file per object into a directory, use --output-dir %s (-d)", strings.Join(allowed, ", "), v, v)
	}
	return "", usagef("-o (--output) must be one of %s, not %q", strings.Join(allowed, ", "), v)
}
