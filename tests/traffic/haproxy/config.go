// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package haproxy

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"
)

// Names of the single frontend and backend in the generated configuration.
const (
	Frontend = "fe"
	Backend  = "be"
)

// Config describes the load balancer. Zero fields take the defaults in
// withDefaults; the health-check defaults are those of an AWS ALB target
// group, the thing HAProxy stands in for.
type Config struct {
	// Binary is the haproxy executable; empty means Find().
	Binary string
	// Port is the frontend port on 127.0.0.1; 0 picks a free one.
	Port int

	// HealthPath is the path of the HTTP health check (GET, 200 expected).
	HealthPath string
	// HealthInterval is the time between two checks of one server (ALB
	// HealthCheckIntervalSeconds, default 30s).
	HealthInterval time.Duration
	// HealthTimeout bounds one check (ALB HealthCheckTimeoutSeconds, default
	// 5s). HAProxy applies it as "timeout check", the read timeout after
	// connect; the connect itself is bounded by min(ConnectTimeout, interval).
	HealthTimeout time.Duration
	// HealthyThreshold is how many consecutive passes make a server UP
	// (ALB HealthyThresholdCount, HAProxy "rise", default 5).
	HealthyThreshold int
	// UnhealthyThreshold is how many consecutive failures make a server
	// DOWN (ALB UnhealthyThresholdCount, HAProxy "fall", default 2).
	UnhealthyThreshold int

	// ClientTimeout and ServerTimeout are HAProxy's inactivity timeouts
	// (default 60s each, generous so that they never decide a test).
	ClientTimeout time.Duration
	ServerTimeout time.Duration
	// ConnectTimeout bounds a TCP connect to a server (default 5s).
	ConnectTimeout time.Duration
	// KeepAliveTimeout is how long an idle client connection is kept
	// (default 60s, the ALB idle timeout).
	KeepAliveTimeout time.Duration

	// Log receives HAProxy's own output: warnings and server state changes,
	// and one line per request when LogRequests is set. nil discards it.
	Log io.Writer
	// LogRequests adds HAProxy's HTTP log line for every request, whose
	// termination flags tell why a request failed.
	LogRequests bool

	// AllowServer decides which server addresses AddServer accepts. nil
	// allows loopback addresses only, so that a test can never make HAProxy
	// send traffic off this machine. Set it to allow, say, addresses of
	// network namespaces the test itself created.
	AllowServer func(netip.Addr) bool
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.HealthPath == "" {
		c.HealthPath = "/healthz"
	}
	def(&c.HealthInterval, 30*time.Second)
	def(&c.HealthTimeout, 5*time.Second)
	if c.HealthyThreshold == 0 {
		c.HealthyThreshold = 5
	}
	if c.UnhealthyThreshold == 0 {
		c.UnhealthyThreshold = 2
	}
	def(&c.ClientTimeout, 60*time.Second)
	def(&c.ServerTimeout, 60*time.Second)
	def(&c.ConnectTimeout, 5*time.Second)
	def(&c.KeepAliveTimeout, 60*time.Second)
	if c.AllowServer == nil {
		c.AllowServer = netip.Addr.IsLoopback
	}
	return c
}

func (c Config) validate() error {
	var errs []error
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d out of range", c.Port))
	}
	if !strings.HasPrefix(c.HealthPath, "/") || strings.ContainsAny(c.HealthPath, " \t\r\n") {
		errs = append(errs, fmt.Errorf("health path %q: want an absolute path without spaces", c.HealthPath))
	}
	for name, d := range map[string]time.Duration{
		"health interval": c.HealthInterval, "health timeout": c.HealthTimeout,
		"client timeout": c.ClientTimeout, "server timeout": c.ServerTimeout,
		"connect timeout": c.ConnectTimeout, "keep-alive timeout": c.KeepAliveTimeout,
	} {
		if d < time.Millisecond {
			errs = append(errs, fmt.Errorf("%s %s: want at least 1ms", name, d))
		}
	}
	if c.HealthyThreshold < 1 || c.UnhealthyThreshold < 1 {
		errs = append(errs, fmt.Errorf("thresholds rise=%d fall=%d: want at least 1", c.HealthyThreshold, c.UnhealthyThreshold))
	}
	return errors.Join(errs...)
}

// render writes the HAProxy configuration. It has an empty backend: servers
// come and go at run time through the admin socket, as targets register
// with and deregister from an ALB target group.
func render(c Config, port int, socket string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	w("global")
	w("  stats socket %s mode 600 level admin", socket)
	w("  stats timeout 10s")
	w("  maxconn 2000") // far above the tests' concurrency; needs ~4k fds, within common ulimits
	level := "notice"
	if c.LogRequests {
		level = "info"
	}
	w("  log stderr format raw local0 %s", level)
	w("")
	w("defaults")
	w("  mode http")
	w("  log global")
	if c.LogRequests {
		w("  option httplog")
	}
	// An ALB keeps client connections alive and never retries a request on
	// another target, so neither does this stand-in: a request sent to a
	// dying server fails and is counted.
	w("  option http-keep-alive")
	w("  retries 0")
	w("  no option redispatch")
	w("  timeout connect %s", ms(c.ConnectTimeout))
	w("  timeout client %s", ms(c.ClientTimeout))
	w("  timeout server %s", ms(c.ServerTimeout))
	w("  timeout http-keep-alive %s", ms(c.KeepAliveTimeout))
	w("  timeout http-request 10s")
	w("")
	w("frontend %s", Frontend)
	w("  bind 127.0.0.1:%d", port)
	w("  default_backend %s", Backend)
	w("")
	w("backend %s", Backend)
	// Dynamic servers need a dynamic algorithm; round robin is also the
	// ALB default.
	w("  balance roundrobin")
	w("  option httpchk GET %s", c.HealthPath)
	w("  http-check expect status 200")
	w("  timeout check %s", ms(c.HealthTimeout))
	return b.String()
}

// serverArgs are the per-server settings of "add server": dynamic servers
// do not inherit default-server, so the check settings go on each server.
func serverArgs(c Config) string {
	return fmt.Sprintf("check inter %s rise %d fall %d", ms(c.HealthInterval), c.HealthyThreshold, c.UnhealthyThreshold)
}

// ms renders a duration in HAProxy's millisecond syntax.
func ms(d time.Duration) string {
	return fmt.Sprintf("%dms", d.Milliseconds())
}
