// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"strings"
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    func(config) bool
		wantErr string
	}{
		{
			name: "defaults",
			env:  nil,
			want: func(c config) bool {
				return c.addr == ":8080" && c.startup == 0 && c.shutdownMode == modeDrain &&
					c.shutdownTimeout == 30*time.Second && c.healthPath == "/healthz" &&
					c.defaultMS == 0 && c.keepAlive == 75*time.Second && c.version == "dev"
			},
		},
		{
			name: "everything set",
			env: map[string]string{
				"PORT": "9090", "LISTEN_ADDR": "127.0.0.1", "STARTUP_SECONDS": "1.5",
				"SHUTDOWN_MODE": "exit", "SHUTDOWN_SECONDS": "0.25", "HEALTH_PATH": "/ready",
				"DEFAULT_MS": "40", "KEEPALIVE_SECONDS": "5", "POD_NAME": "web-1", "VERSION": "v2",
			},
			want: func(c config) bool {
				return c.addr == "127.0.0.1:9090" && c.startup == 1500*time.Millisecond &&
					c.shutdownMode == modeExit && c.shutdownTimeout == 250*time.Millisecond &&
					c.healthPath == "/ready" && c.defaultMS == 40 && c.keepAlive == 5*time.Second &&
					c.podName == "web-1" && c.version == "v2"
			},
		},
		{name: "port not a number", env: map[string]string{"PORT": "http"}, wantErr: "PORT"},
		{name: "port out of range", env: map[string]string{"PORT": "70000"}, wantErr: "PORT"},
		{name: "negative startup", env: map[string]string{"STARTUP_SECONDS": "-1"}, wantErr: "STARTUP_SECONDS"},
		{name: "startup not a number", env: map[string]string{"STARTUP_SECONDS": "soon"}, wantErr: "STARTUP_SECONDS"},
		{name: "infinite shutdown", env: map[string]string{"SHUTDOWN_SECONDS": "Inf"}, wantErr: "SHUTDOWN_SECONDS"},
		{name: "unknown mode", env: map[string]string{"SHUTDOWN_MODE": "graceful"}, wantErr: "SHUTDOWN_MODE"},
		{name: "relative health path", env: map[string]string{"HEALTH_PATH": "healthz"}, wantErr: "HEALTH_PATH"},
		{name: "default ms too long", env: map[string]string{"DEFAULT_MS": "600001"}, wantErr: "DEFAULT_MS"},
		{name: "zero keep-alive", env: map[string]string{"KEEPALIVE_SECONDS": "0"}, wantErr: "KEEPALIVE_SECONDS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadConfig(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(c) {
				t.Errorf("unexpected config: %s", c)
			}
		})
	}
}
