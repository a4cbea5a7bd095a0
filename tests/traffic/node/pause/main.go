// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command pause is the pod sandbox ("pause") image of the test node: it
// sleeps until SIGTERM or SIGINT and exits 0. It is built statically by
// ../build.sh and packed into an image by the node harness.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
}
