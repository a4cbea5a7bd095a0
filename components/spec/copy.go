// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package spec

// deepCopy copies every pointer, slice and map, so defaulting a spec never
// writes through to the caller's value: the copy deepcopy-gen writes
// (zz_generated.deepcopy.go, `make generate`), which a new field joins
// when the file is regenerated, and no JSON round trip (#21).
func (s ServiceSpec) deepCopy() ServiceSpec {
	var out ServiceSpec
	s.DeepCopyInto(&out)
	return out
}

// DeepCopyInto copies the patch, whose value is free-form (maps, lists
// and scalars as YAML, JSON or a Pulumi provider's inputs decode them),
// which deepcopy-gen does not copy.
func (in *Patch) DeepCopyInto(out *Patch) {
	out.Kind = in.Kind
	if in.Patch != nil {
		out.Patch = copyValue(in.Patch).(map[string]any)
	}
}

// copyValue copies maps and lists all the way down; scalars are values.
func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = copyValue(e)
		}
		return out
	default:
		return v
	}
}
