// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"math"
	"net"
	"strconv"
	"time"
)

const (
	modeDrain = "drain"
	modeExit  = "exit"

	// maxMS bounds a single request so that a typo in the load generator
	// cannot park a connection for hours.
	maxMS = 10 * 60 * 1000
)

// config is the app's whole configuration, read once at start.
type config struct {
	addr            string // host:port for net.Listen
	startup         time.Duration
	shutdownMode    string
	shutdownTimeout time.Duration
	healthPath      string
	defaultMS       int
	keepAlive       time.Duration
	podName         string
	version         string
}

// loadConfig reads the environment through getenv, so tests can pass a map
// instead of mutating the process environment.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		shutdownMode: modeDrain,
		healthPath:   "/healthz",
		podName:      getenv("POD_NAME"),
		version:      "dev",
	}
	if v := getenv("VERSION"); v != "" {
		c.version = v
	}

	port := 8080
	if v := getenv("PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return c, fmt.Errorf("PORT=%q: want a port number 1-65535", v)
		}
		port = p
	}
	c.addr = net.JoinHostPort(getenv("LISTEN_ADDR"), strconv.Itoa(port))

	var err error
	if c.startup, err = seconds(getenv, "STARTUP_SECONDS", 0); err != nil {
		return c, err
	}
	if c.shutdownTimeout, err = seconds(getenv, "SHUTDOWN_SECONDS", 30); err != nil {
		return c, err
	}
	if c.keepAlive, err = seconds(getenv, "KEEPALIVE_SECONDS", 75); err != nil {
		return c, err
	}
	if c.keepAlive == 0 {
		// http.Server treats 0 as "use ReadTimeout", which is also 0: idle
		// connections would never be closed. Refuse rather than surprise.
		return c, fmt.Errorf("KEEPALIVE_SECONDS=0: want a positive duration")
	}

	switch m := getenv("SHUTDOWN_MODE"); m {
	case "", modeDrain:
	case modeExit:
		c.shutdownMode = modeExit
	default:
		return c, fmt.Errorf("SHUTDOWN_MODE=%q: want %q or %q", m, modeDrain, modeExit)
	}

	if v := getenv("HEALTH_PATH"); v != "" {
		if v[0] != '/' {
			return c, fmt.Errorf("HEALTH_PATH=%q: want a path starting with /", v)
		}
		c.healthPath = v
	}

	if v := getenv("DEFAULT_MS"); v != "" {
		if c.defaultMS, err = parseMS(v); err != nil {
			return c, fmt.Errorf("DEFAULT_MS: %w", err)
		}
	}
	return c, nil
}

// seconds parses a non-negative, possibly fractional number of seconds.
func seconds(getenv func(string) string, name string, def float64) (time.Duration, error) {
	f := def
	if v := getenv(name); v != "" {
		var err error
		f, err = strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f > 24*3600 {
			return 0, fmt.Errorf("%s=%q: want seconds between 0 and 86400", name, v)
		}
	}
	return time.Duration(f * float64(time.Second)), nil
}

// parseMS parses a request duration in whole milliseconds within [0, maxMS].
func parseMS(v string) (int, error) {
	ms, err := strconv.Atoi(v)
	if err != nil || ms < 0 || ms > maxMS {
		return 0, fmt.Errorf("ms=%q: want whole milliseconds between 0 and %d", v, maxMS)
	}
	return ms, nil
}
