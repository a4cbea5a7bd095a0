// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package traffictest holds the test-only plumbing shared by the traffic
// packages: building and running the testapp binary as a real process,
// finding free loopback ports, and the skip-or-fail rule for HAProxy.
//
// Every process started here runs in its own process group and is killed
// (the whole group) by a t.Cleanup, so a failing or panicking test cannot
// leave servers behind on the machine.
package traffictest

import (
	"net"
	"os"
	"testing"

	"github.com/zerodowntime/zds/tests/traffic/haproxy"
)

// Main runs the tests of a package and then removes the testapp binary built
// for them. Use it from TestMain: os.Exit(traffictest.Main(m)).
func Main(m *testing.M) int {
	usingMain = true
	code := m.Run()
	removeBuildDir()
	return code
}

// usingMain records that Main will clean up after the tests.
var usingMain bool

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. The
// port is released before returning, so a parallel process may take it; the
// window is small enough for tests.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// InstallHint tells a person how to get the HAProxy binary the tests need.
const InstallHint = "run tests/traffic/install-deps.sh to install haproxy"

// RequireHAProxy returns the HAProxy binary. When it is missing the test is
// skipped on a developer machine, but fails under CI=true: a CI run that
// silently skipped every traffic test would look green while proving nothing.
func RequireHAProxy(t testing.TB) string {
	t.Helper()
	bin, err := haproxy.Find()
	if err == nil {
		return bin
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("haproxy is required under CI=true: %v; %s", err, InstallHint)
	}
	t.Skipf("haproxy not available: %v; %s", err, InstallHint)
	return ""
}
