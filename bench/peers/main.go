// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command peers measures `zds render` against cdk8s-plus, its nearest peer
// for plain manifests, in one run on one machine: N services of one shape
// (render.js holds the cdk8s-plus side, hand-tuned to the same settings),
// wall time and peak memory (max RSS) of each process, the median of
// -runs runs, taken alternately. It prints the peer/zds ratios and, with
// -write, rewrites docs/performance.md.
//
//	go run ./bench/peers [-runs 5] [-n 100,1000] [-write docs/performance.md]
//
// It installs cdk8s-plus from the npm registry (package.json and
// package-lock.json here pin it) into ~/.cache/zds/bench-peers/<key> when
// it is missing. make bench-peers runs it.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/zerodowntime/zds/internal/spectest"
)

func main() {
	runs := flag.Int("runs", 5, "runs of each command per size (the median is reported)")
	sizes := flag.String("n", "100,1000", "comma-separated numbers of services")
	write := flag.String("write", "", "rewrite this Markdown report (docs/performance.md)")
	flag.Parse()
	if err := run(*runs, *sizes, *write); err != nil {
		fmt.Fprintln(os.Stderr, "bench-peers:", err)
		os.Exit(1)
	}
}

// sample is one process's cost.
type sample struct {
	wall time.Duration
	rss  int64 // bytes
}

// row is one size's medians.
type row struct {
	n        int
	zds, cdk sample
}

func run(runs int, sizes, write string) error {
	var ns []int
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("-n %q: want positive numbers", sizes)
		}
		ns = append(ns, n)
	}
	here, err := sourceDir()
	if err != nil {
		return err
	}
	modules, err := installPeer(here)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "zds-bench-peers-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	zds := filepath.Join(work, "zds")
	build := exec.Command("go", "build", "-o", zds, "./cmd/zds")
	build.Dir, build.Stderr = filepath.Join(here, "..", ".."), os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building zds: %w", err)
	}

	var rows []row
	for _, n := range ns {
		specFile := filepath.Join(work, fmt.Sprintf("services-%d.zds.yaml", n))
		if err := os.WriteFile(specFile, spectest.SpecFile(n), 0o644); err != nil {
			return err
		}
		zdsCmd := []string{zds, "render", "-f", specFile}
		cdkCmd := []string{"node", filepath.Join(here, "render.js"), strconv.Itoa(n)}
		env := append(os.Environ(), "NODE_PATH="+modules)
		// Each output once, to see that both rendered N services.
		for _, c := range []struct {
			name string
			argv []string
			want int
		}{{"zds", zdsCmd, 5 * n}, {"cdk8s-plus", cdkCmd, 4 * n}} {
			out, err := output(c.argv, env)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			if got := bytes.Count(out, []byte("\nkind: ")) + boolInt(bytes.HasPrefix(out, []byte("kind: "))); got != c.want {
				return fmt.Errorf("%s rendered %d objects for %d services, want %d", c.name, got, n, c.want)
			}
		}
		var zs, cs []sample
		for i := range runs {
			// Alternate which goes first, so neither always gets the
			// warmer page cache.
			order := [][]string{zdsCmd, cdkCmd}
			if i%2 == 1 {
				order = [][]string{cdkCmd, zdsCmd}
			}
			for _, argv := range order {
				s, err := measure(argv, env)
				if err != nil {
					return err
				}
				if argv[0] == zds {
					zs = append(zs, s)
				} else {
					cs = append(cs, s)
				}
			}
		}
		rows = append(rows, row{n: n, zds: median(zs), cdk: median(cs)})
	}

	report := format(rows, runs)
	fmt.Print(report.table)
	if write != "" {
		return os.WriteFile(write, []byte(report.markdown), 0o644)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func output(argv, env []string) ([]byte, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, stderr.String())
	}
	return out, nil
}

// measure runs argv once, discarding its output, and returns its wall time
// and peak resident memory.
func measure(argv, env []string) (sample, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env, cmd.Stdout = env, io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, stderr.String())
	}
	wall := time.Since(start)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return sample{}, errors.New("no rusage on this platform")
	}
	return sample{wall: wall, rss: ru.Maxrss * 1024}, nil // Linux reports KiB
}

func median(s []sample) sample {
	w := make([]time.Duration, len(s))
	r := make([]int64, len(s))
	for i, x := range s {
		w[i], r[i] = x.wall, x.rss
	}
	slices.Sort(w)
	slices.Sort(r)
	return sample{wall: w[len(w)/2], rss: r[len(r)/2]}
}

type report struct{ table, markdown string }

func format(rows []row, runs int) report {
	var t bytes.Buffer
	tw := tabwriter.NewWriter(&t, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "services\tzds render\tcdk8s-plus synth\tcdk8s-plus/zds time\tcdk8s-plus/zds memory")
	var md strings.Builder
	fmt.Fprintf(&md, `<!-- Generated by `+"`make bench-peers`"+` (bench/peers): measured, so numbers differ between machines and runs. -->

# Performance

`+"`zds render`"+` against cdk8s-plus (cdk8s-plus-33 2.5.57 on cdk8s 2.70.106,
Node.js %s), the nearest peer that writes plain manifests, in one run on one
machine (%s, %d CPUs): N services of one shape, zds from a spec file (5
objects each: the namespace or its readiness-gate label, Service, Ingress,
PodDisruptionBudget, Deployment), cdk8s-plus from a program hand-tuned to
the same settings ([bench/peers/render.js](../bench/peers/render.js), 4
objects each). Each cell is the median of %d runs, taken alternately, of
the whole process: wall time and peak resident memory (max RSS).

| services | zds render | cdk8s-plus synth | cdk8s-plus / zds, time | cdk8s-plus / zds, memory |
|---:|---:|---:|---:|---:|
`, nodeVersion(), runtime.GOARCH, runtime.NumCPU(), runs)
	for _, r := range rows {
		tr := r.cdk.wall.Seconds() / r.zds.wall.Seconds()
		mr := float64(r.cdk.rss) / float64(r.zds.rss)
		fmt.Fprintf(tw, "%d\t%s, %s\t%s, %s\t%.1fx\t%.2fx\n", r.n, secs(r.zds.wall), mib(r.zds.rss), secs(r.cdk.wall), mib(r.cdk.rss), tr, mr)
		fmt.Fprintf(&md, "| %d | %s, %s | %s, %s | %.1fx | %.2fx |\n", r.n, secs(r.zds.wall), mib(r.zds.rss), secs(r.cdk.wall), mib(r.cdk.rss), tr, mr)
	}
	tw.Flush()
	if len(rows) >= 2 {
		a, b := rows[0], rows[len(rows)-1]
		line := fmt.Sprintf("zds: %d× the services took %.1f× the time", b.n/a.n, b.zds.wall.Seconds()/a.zds.wall.Seconds())
		fmt.Fprintln(&t, line)
		fmt.Fprintf(&md, "\nScaling: %s (linear would be %d×, plus the fixed start-up cost).\n", line, b.n/a.n)
	}
	return report{table: t.String(), markdown: md.String()}
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
func mib(b int64) string          { return fmt.Sprintf("%d MB", b/1_000_000) }

func nodeVersion() string {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

// installPeer installs the pinned npm packages into a cache directory keyed
// by package.json and package-lock.json, and returns its node_modules.
func installPeer(here string) (string, error) {
	h := sha256.New()
	var files [][]byte
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(here, f))
		if err != nil {
			return "", err
		}
		h.Write(b)
		files = append(files, b)
	}
	root := os.Getenv("ZDS_CACHE_DIR")
	if root == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		root = filepath.Join(c, "zds")
	}
	dir := filepath.Join(root, "bench-peers", hex.EncodeToString(h.Sum(nil))[:16])
	modules := filepath.Join(dir, "node_modules")
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return modules, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for i, f := range []string{"package.json", "package-lock.json"} {
		if err := os.WriteFile(filepath.Join(dir, f), files[i], 0o644); err != nil {
			return "", err
		}
	}
	fmt.Fprintln(os.Stderr, "installing cdk8s-plus from the npm registry into", dir)
	npm := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	npm.Dir, npm.Stdout, npm.Stderr = dir, os.Stderr, os.Stderr
	if err := npm.Run(); err != nil {
		return "", fmt.Errorf("npm ci: %w", err)
	}
	return modules, os.WriteFile(filepath.Join(dir, ".complete"), nil, 0o644)
}

// sourceDir is this command's directory: make runs it from the repository
// root.
func sourceDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(wd, "bench", "peers")
	if _, err := os.Stat(filepath.Join(dir, "render.js")); err != nil {
		return "", fmt.Errorf("run from the repository root (make bench-peers): %w", err)
	}
	return dir, nil
}
