// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command testapp is the HTTP workload behind the load balancer in the
// rollout traffic tests. It stands in for a real service so that the number
// of failed requests during a rollout depends only on how the rollout and the
// app's shutdown are configured, never on the app's own logic.
//
// It is configured only by environment variables, as a container would be:
//
//	PORT               TCP port to listen on (default 8080).
//	LISTEN_ADDR        Host or IP to listen on (default: all interfaces;
//	                   tests pass 127.0.0.1).
//	STARTUP_SECONDS    Sleep this long before listening, like an app that
//	                   warms up (float, default 0). Until then connections
//	                   are refused, so health checks fail.
//	SHUTDOWN_MODE      What SIGTERM does (default drain):
//	                     drain: stop accepting connections, close idle
//	                            keep-alive connections, let in-flight requests
//	                            finish for up to SHUTDOWN_SECONDS, then exit 0
//	                            (http.Server.Shutdown). Requests still running
//	                            at the deadline are cut.
//	                     exit:  exit at once with status 143 (128+SIGTERM),
//	                            cutting every in-flight request, like a naive
//	                            app. The handler is explicit so that it also
//	                            works as PID 1 in a container, where an
//	                            unhandled SIGTERM would be ignored.
//	SHUTDOWN_SECONDS   Drain deadline (float, default 30, the Kubernetes
//	                   default grace period).
//	HEALTH_PATH        Health endpoint (default /healthz). It answers 200
//	                   for as long as the app serves, including while it
//	                   drains: like most real apps, readiness only fails
//	                   once the listener is closed.
//	DEFAULT_MS         Request duration in milliseconds when the request has
//	                   no ms parameter (default 0).
//	KEEPALIVE_SECONDS  How long an idle keep-alive connection is kept open
//	                   (float, default 75, above the 60 s idle timeout of an
//	                   AWS ALB so that the load balancer, not the app,
//	                   closes idle connections).
//	POD_NAME           Name echoed in responses (default: the hostname,
//	                   which is the pod name in Kubernetes).
//	VERSION            Version echoed in responses (default dev).
//
// Any path other than the health path sleeps for ?ms=<milliseconds> (or
// DEFAULT_MS), so the load generator, not the app, decides the distribution
// of request durations. The sleep ends early if the client goes away. The
// response is 200 with the headers X-Pod-Name and X-Version and a one-line
// body naming both.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		logger.Error("bad configuration", "err", err)
		os.Exit(2)
	}
	if cfg.podName == "" {
		cfg.podName, _ = os.Hostname()
	}
	os.Exit(run(cfg, logger))
}

// run serves until a signal ends it and returns the process exit code.
func run(cfg config, logger *slog.Logger) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	logger = logger.With("pod", cfg.podName)
	logger.Info("config", "config", cfg.String())
	if cfg.startup > 0 {
		logger.Info("starting up", "delay", cfg.startup)
		select {
		case <-time.After(cfg.startup):
		case sig := <-sigs:
			logger.Info("signal during startup, exiting", "signal", sig)
			return exitCode(cfg, 0)
		}
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		logger.Error("listen", "err", err)
		return 1
	}
	srv := &http.Server{
		Handler:           newHandler(cfg),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       cfg.keepAlive,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String())

	select {
	case err := <-served:
		logger.Error("serve", "err", err)
		return 1
	case sig := <-sigs:
		if cfg.shutdownMode == modeExit {
			logger.Info("signal, exiting at once", "signal", sig)
			return exitCode(cfg, 0)
		}
		logger.Info("signal, draining", "signal", sig, "deadline", cfg.shutdownTimeout)
	}

	ctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		// The deadline passed with requests still running: cut them, as the
		// kubelet's SIGKILL would, but still report a clean exit because the
		// app did what it was configured to do.
		logger.Warn("drain deadline passed, closing remaining connections", "err", err)
		_ = srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("serve", "err", err)
	}
	logger.Info("drained", "took", time.Since(start).Round(time.Millisecond))
	return 0
}

// exitCode is what a signal-terminated app reports: 143 in exit mode, like a
// process killed by SIGTERM, or code in drain mode.
func exitCode(cfg config, code int) int {
	if cfg.shutdownMode == modeExit {
		return 128 + int(syscall.SIGTERM)
	}
	return code
}

// String renders the effective configuration for logs and errors.
func (c config) String() string {
	return fmt.Sprintf("addr=%s startup=%s mode=%s shutdown=%s health=%s default_ms=%d keepalive=%s pod=%s version=%s",
		c.addr, c.startup, c.shutdownMode, c.shutdownTimeout, c.healthPath, c.defaultMS, c.keepAlive, c.podName, c.version)
}
