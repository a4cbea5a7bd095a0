// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package load

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Class is one kind of request in the mix: a share of the traffic whose
// server-side duration is drawn uniformly from [MinMS, MaxMS].
type Class struct {
	Name   string
	Weight int // relative share; classes with weight 0 are never drawn
	MinMS  int
	MaxMS  int
}

// DefaultMix is 90% short requests (10-50 ms) and 10% long ones (50 ms up
// to longMS). The long tail is what a rollout cuts: a short drain or a
// naive shutdown fails exactly the requests that run longest.
func DefaultMix(longMS int) []Class {
	return []Class{
		{Name: "short", Weight: 90, MinMS: 10, MaxMS: 50},
		{Name: "long", Weight: 10, MinMS: 50, MaxMS: max(longMS, 50)},
	}
}

func validateMix(mix []Class) error {
	if len(mix) == 0 {
		return errors.New("mix: no classes")
	}
	total := 0
	for _, c := range mix {
		if c.Weight < 0 || c.MinMS < 0 || c.MaxMS < c.MinMS {
			return fmt.Errorf("mix class %q: want weight >= 0 and 0 <= MinMS <= MaxMS, got %+v", c.Name, c)
		}
		total += c.Weight
	}
	if total == 0 {
		return errors.New("mix: all weights are 0")
	}
	return nil
}

// method is that of every request: POST, so that Go's transport never
// replays one. It silently sends an idempotent request (GET) again on a new
// connection when its reused connection closed before any answer, which is
// exactly what happens to a request the load balancer cuts (HAProxy closes
// the client's connection where an ALB would answer 5xx): with GET, every
// request cut when a deregistration delay ran out was replayed on another
// target and counted as a success. The test app serves any method.
const method = http.MethodPost

// newTargeter returns a vegeta Targeter that appends ms=<duration> to base,
// drawing the class and duration from an RNG seeded with seed. The same seed
// gives the same sequence of targets, so a failing run can be replayed; the
// order in which concurrent workers take them is still up to the scheduler.
func newTargeter(base *url.URL, mix []Class, seed uint64) vegeta.Targeter {
	var (
		mu    sync.Mutex
		rng   = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		total = 0
	)
	for _, c := range mix {
		total += c.Weight
	}
	query := base.Query()
	return func(t *vegeta.Target) error {
		mu.Lock()
		n := rng.IntN(total)
		var c Class
		for _, c = range mix {
			if n < c.Weight {
				break
			}
			n -= c.Weight
		}
		ms := c.MinMS + rng.IntN(c.MaxMS-c.MinMS+1)
		mu.Unlock()

		q := make(url.Values, len(query)+1)
		for k, v := range query {
			q[k] = v
		}
		q.Set("ms", strconv.Itoa(ms))
		u := *base
		u.RawQuery = q.Encode()
		*t = vegeta.Target{Method: method, URL: u.String()}
		return nil
	}
}

// msOf reads back the duration a target asked for, to attribute failures.
func msOf(rawURL string) int {
	u, err := url.Parse(rawURL)
	if err != nil {
		return -1
	}
	ms, err := strconv.Atoi(u.Query().Get("ms"))
	if err != nil {
		return -1
	}
	return ms
}
