package main

import (
	"testing"

	"github.com/zerodowntime/zds/tests/golden"
)

func TestPreviewGolden(t *testing.T) { golden.Preview(t, program) }

func TestSpecFileRendersTheSameObjects(t *testing.T) {
	golden.SameAsSpecFile(t, program, "service.zds.yaml")
}
