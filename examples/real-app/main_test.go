// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"testing"

	"github.com/zerodowntime/zds/tests/golden"
)

func TestPreviewGolden(t *testing.T) { golden.Preview(t, program) }

func TestSpecFileRendersTheSameObjects(t *testing.T) {
	golden.SameAsSpecFile(t, program, "service.zds.yaml")
}
