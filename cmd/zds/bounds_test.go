// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run the CLI as a child process (ZDS_TEST_CLI holds
// its arguments, one per line), so the child's peak memory is measured by
// the kernel, not guessed from inside.
func TestMain(m *testing.M) {
	if args := os.Getenv("ZDS_TEST_CLI"); args != "" {
		os.Exit(runWith(strings.Split(args, "\n"), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// boundsHead is a valid spec up to the field a case makes large.
const boundsHead = "apiVersion: zds.dev/v1alpha1\nkind: ZeroDowntimeService\nmetadata: {name: web, namespace: shop}\nspec:\n  image: ghcr.io/acme/web:1\n  app: {maxRequestSeconds: 5}\n"

func repeatLines(head, format string, n int) string {
	var b strings.Builder
	b.WriteString(head)
	for i := range n {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

// Every input under the 10 MB cap is handled within 1 GB of memory and
// 10 s on 2 cores, by render and by check (#21: 200 KB of brackets passed
// 7 GB; 3,000 duplicate env names crashed; 200,000 labels took minutes).
// The limits are the ceilings, several times what each case takes;
// a quadratic step crosses them. The kernel measures the child: its peak
// resident memory (an upper bound: a child starts from its parent's
// high-water mark) and its CPU time (not the wall clock, which tests
// running beside it stretch).
func TestBoundsUnderLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI on 10 MB inputs")
	}
	cases := map[string]string{
		"100k nested [ (200 KB)":      boundsHead + "  x: " + strings.Repeat("[", 100000) + "\n",
		"40k nested - on one line":    boundsHead + "  x:\n    " + strings.Repeat("- ", 40000) + "a\n",
		"3,000 duplicate env names":   boundsHead + "  env:\n" + strings.Repeat("    - {name: A, value: x}\n", 3000),
		"300,000 env entries (10 MB)": repeatLines(boundsHead+"  env:\n", "    - {name: A%d, value: x}\n", 300000),
		"600,000 labels (10 MB)":      repeatLines(boundsHead+"  labels:\n", "    l%07d: x\n", 600000),
		"alias bomb":                  boundsHead + "  labels:\n    a: &a [x, x, x, x, x, x, x, x, x, x]\n    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n    g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
		"a 10 MB comment":             boundsHead + "# " + strings.Repeat("x", 10<<20-200) + "\n",
		"200,000 one-line documents":  strings.Repeat("---\na: 1\n", 200000),
	}
	dir := t.TempDir()
	for name, body := range cases {
		if len(body) > 10<<20 {
			t.Fatalf("%s: %d bytes, above the 10 MB cap the case is meant to stay under", name, len(body))
		}
		file := filepath.Join(dir, strings.NewReplacer(" ", "-", ",", "", "(", "", ")", "").Replace(name)+".yaml")
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"render", "-f", file}, {"check", "-f", file}} {
			t.Run(name+"/"+args[0], func(t *testing.T) {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), "ZDS_TEST_CLI="+strings.Join(args, "\n"))
				// Keep only the start of the output: a child's peak memory
				// starts from the parent's, which a buffered flood of
				// problems would raise.
				var out headWriter
				cmd.Stdout, cmd.Stderr = &out, &out
				start := time.Now()
				_ = cmd.Run()
				elapsed := time.Since(start)
				if cmd.ProcessState == nil {
					t.Fatalf("did not run: %s", out.b)
				}
				if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 {
					t.Errorf("exit %d (a crash?): %s", code, out.b)
				}
				rss := int64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
				if runtime.GOOS != "darwin" {
					rss <<= 10 // Linux reports kilobytes, macOS bytes
				}
				t.Logf("%s %s: %d KB in: peak %d MB, %v CPU (%v wall), exit %d", args[0], name, len(body)>>10, rss>>20,
					(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Round(time.Millisecond), elapsed.Round(time.Millisecond), cmd.ProcessState.ExitCode())
				if rss > 1<<30 {
					t.Errorf("peak memory %d MB, above 1 GB", rss>>20)
				}
				// CPU time, not wall time: the child's own work, which other
				// tests running beside it do not inflate. 10 s on 2 cores
				// is at most 20 s of CPU.
				if cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(); cpu > 20*time.Second {
					t.Errorf("%v of CPU, above 10 s on 2 cores", cpu)
				}
			})
		}
	}
}

// headWriter keeps the first 4 KB written to it and drops the rest.
type headWriter struct{ b []byte }

func (w *headWriter) Write(p []byte) (int, error) {
	if room := 4096 - len(w.b); room > 0 {
		w.b = append(w.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}
