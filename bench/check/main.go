// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command check measures `zds check` against kube-score, the linter teams
// already run on their manifests, on the same files in one run: N services'
// manifests (rendered by zds from N random valid specs), wall time and peak
// memory (max RSS) of each process, the median of -runs runs taken
// alternately. It prints the kube-score/zds ratios and, with -write,
// rewrites the Markdown report.
//
//	go run ./bench/check [-runs 5] [-n 100,1000] [-write docs/check-performance.md]
//
// kube-score v1.20.0 is installed from the Go module proxy
// (tests/lint/install-kube-score.sh). make bench-check runs it.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/internal/procbench"
	"github.com/zerodowntime/zds/internal/spectest"
)

func main() {
	runs := flag.Int("runs", 5, "runs of each command per size (the median is reported)")
	sizes := flag.String("n", "100,1000", "comma-separated numbers of services")
	write := flag.String("write", "", "rewrite this Markdown report")
	flag.Parse()
	if err := run(*runs, *sizes, *write); err != nil {
		fmt.Fprintln(os.Stderr, "bench-check:", err)
		os.Exit(1)
	}
}

type row struct {
	n, objects     int
	zds, kubeScore procbench.Sample
	zdsFindings    string
	kubeScoreLines int
}

func run(runs int, sizes, write string) error {
	ns, err := procbench.Sizes(sizes)
	if err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	ks, err := exec.Command("bash", filepath.Join(root, "tests", "lint", "install-kube-score.sh")).Output()
	if err != nil {
		return fmt.Errorf("installing kube-score: %w", err)
	}
	kubeScore := strings.TrimSpace(string(ks))
	work, err := os.MkdirTemp("", "zds-bench-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	zds := filepath.Join(work, "zds")
	build := exec.Command("go", "build", "-o", zds, "./cmd/zds")
	build.Dir, build.Stderr = root, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building zds: %w", err)
	}
	env := os.Environ()
	var rows []row
	for _, n := range ns {
		manifests, objects, err := manifestsOf(work, n)
		if err != nil {
			return err
		}
		zdsCmd := []string{zds, "check", "-f", manifests, "--color", "never"}
		ksCmd := []string{kubeScore, "score", "--output-format", "ci", manifests}
		// Each once, to see that both read every service.
		out, err := procbench.Output(zdsCmd, env)
		if err != nil {
			return fmt.Errorf("zds check: %w", err)
		}
		summary := lastLine(out)
		if !strings.HasPrefix(summary, fmt.Sprintf("%d services:", n)) {
			return fmt.Errorf("zds check read %q for %d services", summary, n)
		}
		ksOut, err := procbench.Output(ksCmd, env, 1)
		if err != nil {
			return fmt.Errorf("kube-score: %w", err)
		}
		if got := bytes.Count(ksOut, []byte(" apps/v1/Deployment")); got == 0 {
			return fmt.Errorf("kube-score scored no Deployment:\n%s", ksOut)
		}
		var zs, kss []procbench.Sample
		for i := range runs {
			order := [][]string{zdsCmd, ksCmd}
			if i%2 == 1 {
				order = [][]string{ksCmd, zdsCmd}
			}
			for _, argv := range order {
				s, err := procbench.Measure(argv, env, 1)
				if err != nil {
					return err
				}
				if argv[0] == zds {
					zs = append(zs, s)
				} else {
					kss = append(kss, s)
				}
			}
		}
		rows = append(rows, row{n: n, objects: objects, zds: procbench.Median(zs), kubeScore: procbench.Median(kss),
			zdsFindings: summary})
	}
	table, markdown := format(rows, runs)
	fmt.Print(table)
	if write != "" {
		return os.WriteFile(write, []byte(markdown), 0o644)
	}
	return nil
}

// manifestsOf renders n random valid services into one multi-document
// file, as a GitOps repository would hold them.
func manifestsOf(dir string, n int) (string, int, error) {
	specPath := filepath.Join(dir, fmt.Sprintf("services-%d.zds.yaml", n))
	if err := os.WriteFile(specPath, spectest.SpecFile(n), 0o644); err != nil {
		return "", 0, err
	}
	docs, err := specfile.Load(specPath)
	if err != nil {
		return "", 0, err
	}
	objs, err := render.Manifests(docs)
	if err != nil {
		return "", 0, err
	}
	y, err := render.YAML(objs)
	if err != nil {
		return "", 0, err
	}
	path := filepath.Join(dir, fmt.Sprintf("manifests-%d.yaml", n))
	return path, len(objs), os.WriteFile(path, y, 0o644)
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

func format(rows []row, runs int) (string, string) {
	var t bytes.Buffer
	tw := tabwriter.NewWriter(&t, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "services\tobjects\tzds check\tkube-score\tkube-score/zds time\tkube-score/zds memory")
	var md strings.Builder
	md.WriteString("<!-- Written by `make bench-check` (go run ./bench/check -write docs/check-performance.md): do not edit. -->\n\n")
	md.WriteString("# zds check against kube-score\n\n")
	fmt.Fprintf(&md, "The same files, one run, this machine (%s/%s, %d CPUs): N services' manifests rendered by zds from random valid specs, "+
		"`zds check -f FILE` against `kube-score score --output-format ci FILE` (v1.20.0), wall time and peak memory (max RSS) of each process, "+
		"the median of %d runs taken alternately. Both parse every object and apply every check they have; kube-score scores each object "+
		"on its own, zds check groups objects into services first and reads each target group with the AWS Load Balancer Controller's annotation parser.\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runs)
	md.WriteString("| services | objects | zds check | kube-score | kube-score/zds time | kube-score/zds memory |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		tr := float64(r.kubeScore.Wall) / float64(r.zds.Wall)
		mr := float64(r.kubeScore.RSS) / float64(r.zds.RSS)
		fmt.Fprintf(tw, "%d\t%d\t%s, %s\t%s, %s\t%.2f×\t%.2f×\n", r.n, r.objects, procbench.Secs(r.zds.Wall), procbench.MB(r.zds.RSS),
			procbench.Secs(r.kubeScore.Wall), procbench.MB(r.kubeScore.RSS), tr, mr)
		fmt.Fprintf(&md, "| %d | %d | %s, %s | %s, %s | %.2f× | %.2f× |\n", r.n, r.objects, procbench.Secs(r.zds.Wall), procbench.MB(r.zds.RSS),
			procbench.Secs(r.kubeScore.Wall), procbench.MB(r.kubeScore.RSS), tr, mr)
	}
	tw.Flush()
	md.WriteString("\nA ratio above 1× means zds check is faster (time) or smaller (memory). zds check's verdict on each input: ")
	for i, r := range rows {
		if i > 0 {
			md.WriteString("; ")
		}
		fmt.Fprintf(&md, "%q", r.zdsFindings)
	}
	md.WriteString(" (zds's own output has no finding).\n")
	return t.String(), md.String()
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
