// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/zerodowntime/zds/components/spec"
)

// Refusals checks objects a program holds (see InMemory) with every
// rule zds check knows and returns the errors and warnings: what the
// spec's patches did, since zds's unpatched output has no finding at all
// (TestZdsOutputHasNoFindings). Both sinks run it on patched output, zds
// render and the Pulumi component, because the strict verifier service
// runs on patches (package check) knows fewer rules than zds check (#21:
// a deregistration delay patched onto the Service, which the controller
// prefers to the Ingress's, passed it).
func Refusals(source string, objs []map[string]any) []Finding {
	var out []Finding
	for _, f := range Check(InMemory(source, objs), Options{}).Findings() {
		if f.Severity >= Warning {
			out = append(out, f)
		}
	}
	return out
}

// PatchError is finding f as a field error of the spec whose patches
// made it, placed by spec.PatchPath.
func PatchError(patches []spec.Patch, f Finding) *field.Error {
	kind, _, _ := strings.Cut(f.Object, "/")
	at := spec.PatchPath(patches, kind)
	where := f.Object
	if f.Field != "" {
		where += " " + f.Field
	}
	return field.Forbidden(at, fmt.Sprintf("the patched objects break rule %s (%s) in %s: %s: change or remove the patch", f.Rule, f.Title, where, f.Message))
}
