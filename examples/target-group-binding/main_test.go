// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"testing"

	"github.com/zerodowntime/zds/tests/golden"
)

// No spec-file twin: this mode creates AWS resources, which only Pulumi can.
func TestPreviewGolden(t *testing.T) { golden.Preview(t, program) }
