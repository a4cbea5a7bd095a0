// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"net/http"
	"time"
)

// newHandler serves the health endpoint and the sleep-for-ms workload.
func newHandler(cfg config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Pod-Name", cfg.podName)
		w.Header().Set("X-Version", cfg.version)
		if r.URL.Path == cfg.healthPath {
			fmt.Fprintln(w, "ok")
			return
		}

		ms := cfg.defaultMS
		if v := r.URL.Query().Get("ms"); v != "" {
			var err error
			if ms, err = parseMS(v); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}

		timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			// The client left or the server was closed: nobody can read a
			// response, so do not pretend the work finished.
			return
		}
		fmt.Fprintf(w, "pod=%s version=%s ms=%d\n", cfg.podName, cfg.version, ms)
	})
}
