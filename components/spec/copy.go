// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package spec

import "encoding/json"

// deepCopy copies every pointer, slice and map (through the JSON form every
// field has), so defaulting a spec never writes through to the caller's
// value, however many fields are added later.
func (s ServiceSpec) deepCopy() ServiceSpec {
	b, err := json.Marshal(s)
	if err != nil {
		panic("spec: a ServiceSpec always marshals: " + err.Error())
	}
	var out ServiceSpec
	if err := json.Unmarshal(b, &out); err != nil {
		panic("spec: a ServiceSpec always unmarshals: " + err.Error())
	}
	// Fields that live in a spec file's metadata, not its spec.
	out.Name, out.Namespace = s.Name, s.Namespace
	return out
}
