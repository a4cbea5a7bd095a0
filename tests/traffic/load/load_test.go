// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package load

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// These tests run the load generator against an in-process server on
// 127.0.0.1, so the numbers it reports can be checked against what the
// server saw.

// countingServer sleeps for ms and answers 500 to every fifth request.
type countingServer struct {
	*httptest.Server
	total, failed atomic.Int64
}

func newCountingServer(t *testing.T) *countingServer {
	s := &countingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.total.Add(1)
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		if n%5 == 0 {
			s.failed.Add(1)
			http.Error(w, "planned failure", http.StatusInternalServerError)
			return
		}
		w.Header().Set("X-Pod-Name", "p")
	}))
	t.Cleanup(s.Close)
	return s
}

func TestRunCountsEveryRequest(t *testing.T) {
	t.Parallel()
	srv := newCountingServer(t)
	res, err := Run(t.Context(), Config{URL: srv.URL, Rate: 100, Duration: 500 * time.Millisecond, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	if int64(res.Sent) != srv.total.Load() || int64(res.Failed) != srv.failed.Load() {
		t.Errorf("sent=%d failed=%d, server saw %d requests and failed %d", res.Sent, res.Failed, srv.total.Load(), srv.failed.Load())
	}
	if res.Sent < 45 || res.Sent > 55 {
		t.Errorf("sent %d at 100/s for 0.5s, want about 50", res.Sent)
	}
	if res.OK+res.Failed != res.Sent || res.FailedByReason["http 500"] != res.Failed || len(res.Failures) != res.Failed {
		t.Errorf("inconsistent result %+v", res)
	}
	if res.ByBackend["p"] != res.OK {
		t.Errorf("by backend %v, want all %d OK from p", res.ByBackend, res.OK)
	}
	for _, f := range res.Failures {
		if f.Code != 500 || f.MS < 10 || f.MS > 1000 {
			t.Errorf("failure %+v lacks its code or duration", f)
		}
	}
}

func TestRunStopsAtMaxRequests(t *testing.T) {
	t.Parallel()
	srv := newCountingServer(t)
	start := time.Now()
	res, err := Run(t.Context(), Config{URL: srv.URL, Rate: 200, Duration: 10 * time.Second, MaxRequests: 20})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 20 {
		t.Errorf("sent %d, want MaxRequests=20", res.Sent)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("run took %s, want it to stop after 20 requests (~0.1s + the longest request)", took)
	}
}

func TestRunStopsWhenContextEndsAndCountsInFlight(t *testing.T) {
	t.Parallel()
	srv := newCountingServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, Config{URL: srv.URL, Rate: 100, Mix: []Class{{Weight: 1, MinMS: 400, MaxMS: 400}}})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if took < 600*time.Millisecond || took > 2*time.Second {
		t.Errorf("run took %s, want ~0.3s of issuing plus the 0.4s requests in flight", took)
	}
	if res.Sent < 25 || res.Sent > 35 || int64(res.Sent) != srv.total.Load() {
		t.Errorf("sent %d (server saw %d), want ~30 all accounted for", res.Sent, srv.total.Load())
	}
	if res.FailedByReason["timeout"]+res.FailedByReason["other"] != 0 {
		t.Errorf("in-flight requests were cut at cancellation: %v", res.FailedByReason)
	}
}

func TestRunCountsTransportFailures(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String()
	ln.Close()
	srv := newCountingServer(t)

	tests := []struct {
		name   string
		cfg    Config
		reason string
	}{
		{"refused", Config{URL: closedURL}, "connection refused"},
		{"timeout", Config{URL: srv.URL, Timeout: 100 * time.Millisecond, Mix: []Class{{Weight: 1, MinMS: 400, MaxMS: 400}}}, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Rate, tt.cfg.MaxRequests = 50, 10
			res, err := Run(t.Context(), tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Sent != 10 || res.Failed != 10 || res.FailedByReason[tt.reason] != 10 {
				t.Errorf("got %s, want 10 sent and 10 failed with %q", res, tt.reason)
			}
		})
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"private address", Config{URL: "http://10.0.0.1:80/", Rate: 1}},
		{"public address", Config{URL: "http://93.184.216.34/", Rate: 1}},
		{"host name", Config{URL: "http://example.com/", Rate: 1}},
		{"localhost name", Config{URL: "http://localhost:8080/", Rate: 1}},
		{"https", Config{URL: "https://127.0.0.1/", Rate: 1}},
		{"no rate", Config{URL: "http://127.0.0.1:1/"}},
		{"negative duration", Config{URL: "http://127.0.0.1:1/", Rate: 1, Duration: -time.Second}},
		{"bad mix", Config{URL: "http://127.0.0.1:1/", Rate: 1, Mix: []Class{{Weight: 0}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Run(t.Context(), tt.cfg)
			if err == nil || res.Sent != 0 {
				t.Errorf("Run(%+v) = %v, %v; want an error and nothing sent", tt.cfg, res, err)
			}
		})
	}
}
