// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package load

import (
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		code uint16
		err  string
		want string
	}{
		{200, "", ""},
		{204, "", ""},
		{302, "", "http 302"},
		{404, "404 Not Found", "http 404"},
		{502, "502 Bad Gateway", "http 502"},
		{503, "503 Service Unavailable", "http 503"},
		{0, `Get "http://127.0.0.1:1/?ms=1": dial tcp 127.0.0.1:1: connect: connection refused`, "connection refused"},
		{0, `Get "http://127.0.0.1:1/": read tcp 127.0.0.1:5->127.0.0.1:1: read: connection reset by peer`, "connection reset"},
		{0, `Get "http://127.0.0.1:1/": EOF`, "eof"},
		{0, "unexpected EOF", "eof"},
		{0, `Get "http://127.0.0.1:1/": net/http: HTTP/1.x transport connection broken: http: server closed idle connection`, "eof"},
		{0, `Get "http://127.0.0.1:1/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, "timeout"},
		{0, `Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: i/o timeout`, "timeout"},
		{0, "write: broken pipe", "broken pipe"},
		{0, "something new", "other"},
		{200, "net/http: request canceled", "other"},
	}
	for _, tt := range tests {
		if got := classify(tt.code, tt.err); got != tt.want {
			t.Errorf("classify(%d, %q) = %q, want %q", tt.code, tt.err, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := summarize(ds)
	want := Latencies{Mean: 50500 * time.Microsecond, P50: 50 * time.Millisecond, P90: 90 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}
	if got != want {
		t.Errorf("summarize = %s, want %s", got, want)
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("summarize sorted its input in place")
	}
	if (summarize(nil) != Latencies{}) {
		t.Error("summarize(nil) is not zero")
	}
}
