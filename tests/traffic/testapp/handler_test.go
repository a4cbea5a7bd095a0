// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHandler(t *testing.T) {
	cfg := config{healthPath: "/healthz", defaultMS: 30, podName: "web-1", version: "v2"}
	h := newHandler(cfg)
	tests := []struct {
		target    string
		code      int
		body      string
		minTook   time.Duration
		maxTook   time.Duration
		podHeader bool
	}{
		{target: "/healthz", code: 200, body: "ok", maxTook: 20 * time.Millisecond, podHeader: true},
		{target: "/?ms=0", code: 200, body: "pod=web-1 version=v2 ms=0", maxTook: 20 * time.Millisecond, podHeader: true},
		{target: "/any/path?ms=60", code: 200, body: "ms=60", minTook: 60 * time.Millisecond, podHeader: true},
		{target: "/", code: 200, body: "ms=30", minTook: 30 * time.Millisecond, podHeader: true},
		{target: "/?ms=-1", code: 400, body: "ms="},
		{target: "/?ms=abc", code: 400, body: "ms="},
		{target: "/?ms=600001", code: 400, body: "ms="},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.target, nil))
			took := time.Since(start)
			if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("got %d %q, want %d containing %q", rec.Code, rec.Body, tt.code, tt.body)
			}
			if took < tt.minTook || (tt.maxTook > 0 && took > tt.maxTook) {
				t.Errorf("took %s, want between %s and %s", took, tt.minTook, tt.maxTook)
			}
			if tt.podHeader && (rec.Header().Get("X-Pod-Name") != "web-1" || rec.Header().Get("X-Version") != "v2") {
				t.Errorf("headers %v lack pod name or version", rec.Header())
			}
		})
	}
}

// A client that gives up must free the handler at once, or a drain would
// wait for work nobody can receive.
func TestHandlerHonoursCancellation(t *testing.T) {
	h := newHandler(config{healthPath: "/healthz"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest(http.MethodGet, "/?ms=5000", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	if took := time.Since(start); took > time.Second {
		t.Fatalf("handler ran %s after its context ended", took)
	}
	if strings.Contains(rec.Body.String(), "pod=") {
		t.Errorf("cancelled request wrote a success body: %q", rec.Body)
	}
}
