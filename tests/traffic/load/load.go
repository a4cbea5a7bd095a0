// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package load sends constant-rate HTTP load, with vegeta as the engine, and
// counts every request that did not succeed. It measures what a rollout
// costs the clients of a service: the number that matters is Result.Failed.
//
// A run is always bounded: it stops issuing requests at Config.Duration (or
// MaxDuration), at Config.MaxRequests, or when its context ends, whichever
// comes first, and every request is bounded by Config.Timeout. Requests
// already in flight when issuing stops are allowed to finish (within
// Timeout) and are counted, so that a run cancelled at the end of a rollout
// still accounts for every request it made.
//
// Targets are loopback only: the load generator refuses any other host, so
// that no test can send load off this machine.
package load

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Hard bounds that no Config can exceed.
const (
	MaxDuration    = 10 * time.Minute
	MaxRequestsCap = 1_000_000
)

// Config describes one run.
type Config struct {
	// URL is the target, e.g. HAProxy's frontend; its host must be a
	// loopback IP such as 127.0.0.1. Each request adds ms=<duration>.
	URL string
	// Rate is the number of requests issued per second, whatever the
	// latency of earlier ones (an open-loop model, like real clients).
	Rate int
	// Duration stops issuing after this long; 0 means until ctx ends,
	// bounded by MaxDuration.
	Duration time.Duration
	// MaxRequests stops issuing after this many; 0 means Rate × duration.
	MaxRequests int
	// Timeout bounds each request, connect to last byte (default 30s). A
	// request that exceeds it fails with reason "timeout".
	Timeout time.Duration
	// Mix chooses each request's server-side duration; nil means
	// DefaultMix(1000).
	Mix []Class
	// Seed seeds the duration RNG, so a run's targets can be replayed.
	Seed uint64
}

// Run sends the load described by cfg and returns what happened. The error
// is about the configuration only; failed requests are in the Result.
func Run(ctx context.Context, cfg Config) (Result, error) {
	base, err := checkURL(cfg.URL)
	if err != nil {
		return Result{}, err
	}
	if cfg.Rate <= 0 {
		return Result{}, fmt.Errorf("rate %d: want requests per second > 0", cfg.Rate)
	}
	if cfg.Duration < 0 || cfg.MaxRequests < 0 || cfg.Timeout < 0 {
		return Result{}, errors.New("duration, max requests and timeout must not be negative")
	}
	duration := cfg.Duration
	if duration == 0 || duration > MaxDuration {
		duration = MaxDuration
	}
	maxRequests := cfg.MaxRequests
	if maxRequests == 0 {
		maxRequests = int(math.Ceil(duration.Seconds() * float64(cfg.Rate)))
	}
	maxRequests = min(maxRequests, MaxRequestsCap)
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	mix := cfg.Mix
	if mix == nil {
		mix = DefaultMix(1000)
	}
	if err := validateMix(mix); err != nil {
		return Result{}, err
	}

	attacker := vegeta.NewAttacker(
		vegeta.Client(newClient(timeout)),
		vegeta.MaxBody(1024), // the testapp's answers are one line
	)
	pacer := capped{vegeta.ConstantPacer{Freq: cfg.Rate, Per: time.Second}, uint64(maxRequests)}

	started := time.Now()
	results := attacker.Attack(newTargeter(base, mix, cfg.Seed), pacer, duration, "zds-load")
	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		select {
		case <-ctx.Done():
			attacker.Stop() // stop issuing; in-flight requests finish
		case <-stopped:
		}
	}()

	c := newCollector(started)
	for r := range results {
		c.add(r)
	}
	return c.result(), nil
}

// capped wraps a pacer to stop after max hits, vegeta's own pacers only
// know about time.
type capped struct {
	vegeta.Pacer
	max uint64
}

func (c capped) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= c.max {
		return 0, true
	}
	return c.Pacer.Pace(elapsed, hits)
}

// newClient is the HTTP client of every request: keep-alive on and plenty of
// idle connections per host, as a fleet of clients behind one load balancer
// would have; no proxy from the environment, so that requests go straight
// to the loopback target; and redirects are not followed, so a 3xx counts
// as the failure it is for this service.
func newClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 10000,
			// Below the load balancer's keep-alive timeout (60 s), as a
			// well-behaved client's is: requests are never replayed (see
			// method), so a connection the load balancer closes as idle
			// just as a request is sent on it would count as a failure
			// the rollout did not cause.
			IdleConnTimeout: 30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// checkURL accepts only http URLs on loopback IPs.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url %q: %w", raw, err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("url %q: want http", raw)
	}
	// An IP literal, not a name: a name's resolution is outside our control.
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("url %q: host must be a loopback IP; load is never sent off this machine", raw)
	}
	return u, nil
}
