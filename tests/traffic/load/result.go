// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package load

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Result summarises one run. Every request the run issued is counted exactly
// once, as OK or Failed.
type Result struct {
	Sent   int // requests issued
	OK     int // 2xx answers read completely
	Failed int // everything else
	// FailedByReason splits Failed by cause: "http 503", "connection reset",
	// "connection refused", "eof", "timeout", "broken pipe", "other".
	FailedByReason map[string]int
	// ByBackend counts OK answers by their X-Pod-Name header, to see which
	// pods served the traffic.
	ByBackend map[string]int
	// Failures lists every failed request in the order they were issued, so
	// that failures can be lined up with rollout events.
	Failures []Failure
	// Latencies are over all requests, failed ones included.
	Latencies Latencies
	Started   time.Time
	Elapsed   time.Duration
}

// Failure is one failed request.
type Failure struct {
	At      time.Duration // since the run started, when the request was issued
	Latency time.Duration
	MS      int // server-side duration the request asked for
	Code    int // HTTP status, 0 if there was no complete answer
	Reason  string
	Error   string
}

// Latencies are exact quantiles; a run is bounded, so all samples are kept.
type Latencies struct {
	Mean, P50, P90, P99, Max time.Duration
}

func (l Latencies) String() string {
	return fmt.Sprintf("mean=%s p50=%s p90=%s p99=%s max=%s", l.Mean, l.P50, l.P90, l.P99, l.Max)
}

func (r Result) String() string {
	reasons := make([]string, 0, len(r.FailedByReason))
	for k, v := range r.FailedByReason {
		reasons = append(reasons, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(reasons)
	return fmt.Sprintf("sent=%d ok=%d failed=%d [%s] by-backend=%v in %s; latency %s",
		r.Sent, r.OK, r.Failed, strings.Join(reasons, " "), r.ByBackend, r.Elapsed.Round(time.Millisecond), r.Latencies)
}

// collector turns vegeta results into a Result.
type collector struct {
	res       Result
	latencies []time.Duration
}

func newCollector(started time.Time) *collector {
	return &collector{res: Result{
		FailedByReason: map[string]int{},
		ByBackend:      map[string]int{},
		Started:        started,
	}}
}

func (c *collector) add(r *vegeta.Result) {
	c.res.Sent++
	c.latencies = append(c.latencies, r.Latency)
	reason := classify(r.Code, r.Error)
	if reason == "" {
		c.res.OK++
		c.res.ByBackend[r.Headers.Get("X-Pod-Name")]++
		return
	}
	c.res.Failed++
	c.res.FailedByReason[reason]++
	c.res.Failures = append(c.res.Failures, Failure{
		At:      r.Timestamp.Sub(c.res.Started),
		Latency: r.Latency,
		MS:      msOf(r.URL),
		Code:    int(r.Code),
		Reason:  reason,
		Error:   r.Error,
	})
}

func (c *collector) result() Result {
	c.res.Elapsed = time.Since(c.res.Started)
	c.res.Latencies = summarize(c.latencies)
	sort.SliceStable(c.res.Failures, func(i, j int) bool { return c.res.Failures[i].At < c.res.Failures[j].At })
	return c.res
}

func summarize(ds []time.Duration) Latencies {
	if len(ds) == 0 {
		return Latencies{}
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	q := func(p float64) time.Duration { return ds[int(p*float64(len(ds)-1))] }
	return Latencies{Mean: sum / time.Duration(len(ds)), P50: q(0.50), P90: q(0.90), P99: q(0.99), Max: ds[len(ds)-1]}
}

// classify names why a request failed, or returns "" for a success. Only a
// 2xx answer read to the end succeeds: vegeta itself counts 3xx as success,
// which would hide a load balancer's redirect to an error page. Transport
// errors are grouped by the words Go's net stack uses for them.
func classify(code uint16, errText string) string {
	switch {
	case code >= 200 && code < 300 && errText == "":
		return ""
	case code != 0 && (code < 200 || code >= 300):
		return fmt.Sprintf("http %d", code)
	}
	e := strings.ToLower(errText)
	switch {
	case strings.Contains(e, "timeout") || strings.Contains(e, "deadline exceeded"):
		return "timeout"
	case strings.Contains(e, "connection reset"):
		return "connection reset"
	case strings.Contains(e, "connection refused"):
		return "connection refused"
	case strings.Contains(e, "broken pipe"):
		return "broken pipe"
	case strings.Contains(e, "eof") || strings.Contains(e, "server closed"):
		return "eof"
	}
	return "other"
}
