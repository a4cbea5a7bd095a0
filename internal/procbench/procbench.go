// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package procbench measures whole commands, as users run them: wall
// time and peak memory (max RSS) of a process, medians of runs taken
// alternately with a peer's (bench/peers, bench/check).
package procbench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Sample is one process's cost.
type Sample struct {
	Wall time.Duration
	RSS  int64 // bytes
}

// Output runs argv and returns its standard output; an exit code in ok
// is no error (a linter exits 1 when it finds something).
func Output(argv, env []string, ok ...int) ([]byte, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && !allowed(err, ok) {
		return nil, fmt.Errorf("%v: %s", err, stderr.String())
	}
	return out, nil
}

func allowed(err error, ok []int) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && slices.Contains(ok, ee.ExitCode())
}

// Measure runs argv once, discarding its output, and returns its wall
// time and peak resident memory; an exit code in ok is no error.
func Measure(argv, env []string, ok ...int) (Sample, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env, cmd.Stdout = env, io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil && !allowed(err, ok) {
		return Sample{}, fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, stderr.String())
	}
	wall := time.Since(start)
	ru, isRusage := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !isRusage {
		return Sample{}, errors.New("no rusage on this platform")
	}
	return Sample{Wall: wall, RSS: ru.Maxrss * 1024}, nil // Linux reports KiB
}

// Median is the median wall time and the median peak memory.
func Median(s []Sample) Sample {
	w := make([]time.Duration, len(s))
	r := make([]int64, len(s))
	for i, x := range s {
		w[i], r[i] = x.Wall, x.RSS
	}
	slices.Sort(w)
	slices.Sort(r)
	return Sample{Wall: w[len(w)/2], RSS: r[len(r)/2]}
}

// Secs and MB format a sample's numbers for reports.
func Secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// MB is bytes in (decimal) megabytes.
func MB(b int64) string { return fmt.Sprintf("%d MB", b/1_000_000) }

// Sizes reads a -n flag: comma-separated positive numbers of services.
func Sizes(flag string) ([]int, error) {
	var ns []int
	for _, f := range strings.Split(flag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-n %q: want positive numbers", flag)
		}
		ns = append(ns, n)
	}
	return ns, nil
}
