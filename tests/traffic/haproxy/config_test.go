// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package haproxy

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestRenderCarriesALBSemantics(t *testing.T) {
	cfg := Config{
		HealthPath:         "/ready",
		HealthInterval:     1500 * time.Millisecond,
		HealthTimeout:      700 * time.Millisecond,
		HealthyThreshold:   3,
		UnhealthyThreshold: 4,
	}.withDefaults()
	got := render(cfg, 18080, "/tmp/x/admin.sock")
	for _, want := range []string{
		"stats socket /tmp/x/admin.sock mode 600 level admin",
		"bind 127.0.0.1:18080",
		"option http-keep-alive",
		"retries 0",
		"no option redispatch",
		"timeout client 60000ms",
		"timeout server 60000ms",
		"balance roundrobin",
		"option httpchk GET /ready",
		"http-check expect status 200",
		"timeout check 700ms",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("config lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "\n  server ") {
		t.Errorf("backend should start empty:\n%s", got)
	}
	if args := serverArgs(cfg); args != "check inter 1500ms rise 3 fall 4" {
		t.Errorf("serverArgs = %q", args)
	}
}

func TestDefaultsAreALBDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	if c.HealthInterval != 30*time.Second || c.HealthTimeout != 5*time.Second ||
		c.HealthyThreshold != 5 || c.UnhealthyThreshold != 2 || c.HealthPath != "/healthz" {
		t.Errorf("defaults %+v are not the ALB target group defaults", c)
	}
	if !c.AllowServer(netip.MustParseAddr("127.0.0.2")) || c.AllowServer(netip.MustParseAddr("10.0.0.1")) {
		t.Error("default AllowServer must allow loopback and only loopback")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"defaults", Config{}, true},
		{"port too large", Config{Port: 70000}, false},
		{"relative health path", Config{HealthPath: "healthz"}, false},
		{"health path with space", Config{HealthPath: "/a b"}, false},
		{"sub-millisecond interval", Config{HealthInterval: time.Microsecond}, false},
		{"negative threshold", Config{HealthyThreshold: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.withDefaults().validate()
			if (err == nil) != tt.ok {
				t.Errorf("validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"web-1", true},
		{"pod_a.v2", true},
		{"", false},
		{"-lead", false},
		{"a b", false},
		{"a;del server be/b", false},
		{"a/b", false},
		{strings.Repeat("x", 64), false},
	}
	for _, tt := range tests {
		if err := checkName(tt.name); (err == nil) != tt.ok {
			t.Errorf("checkName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
