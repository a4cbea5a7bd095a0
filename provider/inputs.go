// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package provider

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/specfile"
)

// InvalidInputsError lists every problem with a ZeroDowntimeService's
// inputs, one per line: the input's path as the program wrote it
// (app.maxRequestSeconds, env[1].name), the rule and the fix, in the words
// the Go component and the spec files use. Nothing is registered.
type InvalidInputsError struct {
	Name     string
	Problems []string
}

func (e *InvalidInputsError) Error() string {
	return fmt.Sprintf("invalid ZeroDowntimeService %q:\n  - %s", e.Name, strings.Join(e.Problems, "\n  - "))
}

// serviceSpec decodes the plain inputs into the spec, checked exactly as a
// spec file's document is: a Pulumi program's inputs become the document
// {metadata: {name, namespace}, spec: every other plain input}.
func serviceSpec(resourceName string, inputs property.Map) (*spec.ServiceSpec, error) {
	var problems []string
	body := map[string]any{}
	meta := map[string]any{"name": resourceName}
	for key, v := range inputs.AllStable {
		if slices.Contains(OutputInputs, key) {
			continue
		}
		plain, errs := plainValue(v, key)
		problems = append(problems, errs...)
		if plain == nil {
			continue
		}
		switch key {
		case "name", "namespace":
			meta[key] = plain
		default:
			body[key] = plain
		}
	}
	if len(problems) > 0 {
		return nil, &InvalidInputsError{Name: resourceName, Problems: problems}
	}
	d, ps := specfile.Value(map[string]any{
		"apiVersion": spec.APIVersion,
		"kind":       spec.Kind,
		"metadata":   meta,
		"spec":       body,
	})
	for _, p := range ps {
		problems = append(problems, inputPath(strings.Split(p.Path, "."))+": "+p.Message)
	}
	if len(problems) > 0 {
		return nil, &InvalidInputsError{Name: resourceName, Problems: problems}
	}
	s := d.ServiceSpec()
	return &s, nil
}

// plainValue is v as JSON would hold it. zds derives the timing chain from
// these inputs before it registers anything, so each must be known in a
// preview and must not be a secret (it would be written into the
// Deployment in clear text).
func plainValue(v property.Value, path string) (any, []string) {
	switch {
	case v.IsComputed() || len(v.Dependencies()) > 0:
		return nil, []string{path + ": comes from another resource's output: zds derives the timing chain from it before anything is registered, so it must be a plain value; only " + strings.Join(OutputInputs, ", ") + " may be outputs"}
	case v.Secret():
		return nil, []string{path + ": is a secret: zds would write it into the Deployment in clear text; keep it in a Kubernetes Secret and reference it (env[].valueFrom.secretKeyRef, envFrom[].secretRef)"}
	case v.IsNull():
		return nil, nil
	case v.IsBool():
		return v.AsBool(), nil
	case v.IsNumber():
		return v.AsNumber(), nil
	case v.IsString():
		return v.AsString(), nil
	case v.IsArray():
		out := []any{}
		var problems []string
		for i, e := range v.AsArray().All {
			pe, errs := plainValue(e, fmt.Sprintf("%s[%d]", path, i))
			problems = append(problems, errs...)
			out = append(out, pe)
		}
		return out, problems
	case v.IsMap():
		out := map[string]any{}
		var problems []string
		for k, e := range v.AsMap().AllStable {
			pe, errs := plainValue(e, path+"."+k)
			problems = append(problems, errs...)
			if pe != nil {
				out[k] = pe
			}
		}
		return out, problems
	}
	return nil, []string{path + ": must be a plain value (a string, number, boolean, list or map), not an asset, archive or resource reference"}
}

// inputPath names a problem's field as the program wrote it: spec.env.1.name
// becomes env[1].name, metadata.name becomes name.
func inputPath(segs []string) string {
	if len(segs) > 0 && (segs[0] == "spec" || segs[0] == "metadata") {
		segs = segs[1:]
	}
	var b strings.Builder
	for _, s := range segs {
		if _, err := strconv.Atoi(s); err == nil {
			fmt.Fprintf(&b, "[%s]", s)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	if b.Len() == 0 {
		return "inputs"
	}
	return b.String()
}

// inputErrors rewords the component's validation errors with the inputs'
// paths; other errors pass unchanged.
func inputErrors(name string, err error) error {
	var inv *spec.InvalidError
	if !errors.As(err, &inv) {
		return err
	}
	e := &InvalidInputsError{Name: name}
	for _, fe := range inv.Errors {
		path := strings.TrimPrefix(fe.Field, "spec.")
		e.Problems = append(e.Problems, path+": "+fe.ErrorBody())
	}
	return e
}
