// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package spec_test

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/schema"
)

// intField is an integer field of ServiceSpec: its path below spec and how
// to set it on a copy.
type intField struct {
	path string
	set  func(s *spec.ServiceSpec, v int64)
	// zeroIsUnset: a plain int whose 0 means "not given" to Go callers
	// (and that the schema refuses in spec files).
	zeroIsUnset bool
}

// intFields walks ServiceSpec by its JSON names and returns every integer
// field (int, int64 and pointers to them), so that a new field cannot
// escape the sweep below.
func intFields() []intField {
	var out []intField
	var walk func(t reflect.Type, path []string, get func(*spec.ServiceSpec) reflect.Value)
	walk = func(t reflect.Type, path []string, get func(*spec.ServiceSpec) reflect.Value) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			p := append(append([]string(nil), path...), name)
			if name == "" { // embedded
				p = path
			}
			idx := i
			field := func(s *spec.ServiceSpec) reflect.Value { return get(s).Field(idx) }
			ft := f.Type
			isPtr := ft.Kind() == reflect.Pointer
			if isPtr {
				ft = ft.Elem()
			}
			switch ft.Kind() {
			case reflect.Int, reflect.Int64, reflect.Int32:
				out = append(out, intField{path: strings.Join(p, "."), zeroIsUnset: !isPtr, set: func(s *spec.ServiceSpec, v int64) {
					fv := field(s)
					if isPtr {
						n := reflect.New(ft)
						n.Elem().SetInt(v)
						fv.Set(n)
						return
					}
					fv.SetInt(v)
				}})
			case reflect.Struct:
				if !isPtr {
					walk(ft, p, field)
				}
			}
		}
	}
	walk(reflect.TypeFor[spec.ServiceSpec](), nil, func(s *spec.ServiceSpec) reflect.Value { return reflect.ValueOf(s).Elem() })
	return out
}

// schemaDefs returns the generated schema's definitions and a function that
// follows $refs to the node they name.
func schemaDefs(t *testing.T) (map[string]any, func(map[string]any) map[string]any) {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(schema.JSON, &root); err != nil {
		t.Fatal(err)
	}
	defs := root["$defs"].(map[string]any)
	return defs, func(n map[string]any) map[string]any {
		for {
			ref, ok := n["$ref"].(string)
			if !ok {
				return n
			}
			n = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
	}
}

// schemaBounds reads minimum and maximum of a path below the document's spec
// from the generated JSON Schema, following $refs.
func schemaBounds(t *testing.T, path string) (lo, hi *int64) {
	t.Helper()
	defs, deref := schemaDefs(t)
	node := deref(defs["ServiceSpec"].(map[string]any))
	for _, seg := range strings.Split(path, ".") {
		props, _ := deref(node)["properties"].(map[string]any)
		next, ok := props[seg].(map[string]any)
		if !ok {
			t.Fatalf("%s: no %q in the schema", path, seg)
		}
		node = deref(next)
	}
	num := func(k string) *int64 {
		f, ok := node[k].(float64)
		if !ok {
			return nil
		}
		v := int64(f)
		return &v
	}
	return num("minimum"), num("maximum")
}

// sweepBase is a valid spec whose other fields leave room for the field at
// path at its bounds: autoscaled for the autoscaler's fields.
func sweepBase(path string) spec.ServiceSpec {
	s := spec.ServiceSpec{
		Namespace: "shop", Image: "ghcr.io/acme/web:1.4.2",
		App: spec.App{MaxRequestSeconds: 15},
	}
	if strings.HasPrefix(path, "autoscaling.") {
		two, cpu := 2, 60
		s.Autoscaling = spec.Autoscaling{Enabled: true, MinReplicas: &two, MaxReplicas: 10, CPUUtilizationPercent: &cpu}
	}
	return s
}

// Every integer field has a maximum in the JSON Schema that fits the
// Kubernetes field it reaches, and Go callers get the same bounds from
// validation: one past either bound is refused with the field's path, and a
// value at a bound is either refused by a rule or rendered unchanged (no
// int32 conversion wraps it, e.g. replicas 4294967297 → 1).
func TestEveryIntegerFieldIsBoundedTheSameInSchemaAndValidation(t *testing.T) {
	fields := intFields()
	if len(fields) < 25 {
		t.Fatalf("found only %d integer fields: the walk misses some", len(fields))
	}
	for _, f := range fields {
		t.Run(f.path, func(t *testing.T) {
			lo, hi := schemaBounds(t, f.path)
			if lo == nil || hi == nil {
				t.Fatalf("the schema gives %s no minimum or no maximum", f.path)
			}
			if *hi > 1<<31-1 {
				t.Errorf("maximum %d does not fit an int32 Kubernetes field", *hi)
			}
			for _, v := range []int64{*lo - 1, *hi + 1} {
				if v == 0 && f.zeroIsUnset {
					continue
				}
				s := sweepBase(f.path)
				f.set(&s, v)
				_, err := service.Resolve("web", s, spec.Inputs{})
				if err == nil || !strings.Contains(err.Error(), "spec."+f.path+":") {
					t.Errorf("%s = %d (outside the schema's [%d, %d]) is not refused at spec.%s: %v", f.path, v, *lo, *hi, f.path, err)
				}
			}
			for _, v := range []int64{*lo, *hi} {
				s := sweepBase(f.path)
				f.set(&s, v)
				r, err := service.Resolve("web", s, spec.Inputs{})
				if err != nil {
					continue // a rule refuses it: nothing rendered
				}
				if v < 100000 {
					continue // too common a number to look for
				}
				var out strings.Builder
				for _, it := range service.Build(r).Items() {
					m, err := manifests.ToMap(it.Object)
					if err != nil {
						t.Fatal(err)
					}
					b, _ := json.Marshal(m)
					out.Write(b)
				}
				if !strings.Contains(out.String(), strconv.FormatInt(v, 10)) {
					t.Errorf("%s = %d is accepted but rendered as something else:\n%s", f.path, v, out.String())
				}
			}
		})
	}
}

// schemaDefaults returns every "default" in the schema below the document's
// spec, by dotted path, following $refs.
func schemaDefaults(t *testing.T) map[string]any {
	t.Helper()
	defs, deref := schemaDefs(t)
	out := map[string]any{}
	var walk func(n map[string]any, path string)
	walk = func(n map[string]any, path string) {
		n = deref(n)
		if d, ok := n["default"]; ok {
			out[path] = d
		}
		props, _ := n["properties"].(map[string]any)
		for k, v := range props {
			p := k
			if path != "" {
				p = path + "." + k
			}
			walk(v.(map[string]any), p)
		}
	}
	walk(defs["ServiceSpec"].(map[string]any), "")
	return out
}

// Every default the schema states (and editors show) is the value zds
// applies: a spec without the field, defaulted, has the schema's default
// there.
func TestSchemaDefaultsAreTheAppliedDefaults(t *testing.T) {
	defaults := schemaDefaults(t)
	if len(defaults) < 15 {
		t.Fatalf("found only %d defaults in the schema: the walk misses some", len(defaults))
	}
	for path, want := range defaults {
		s := sweepBase(path)
		if strings.HasPrefix(path, "autoscaling.") {
			s.Autoscaling.MinReplicas = nil // the default under test
		}
		b, err := json.Marshal(service.WithDefaults("web", s, false))
		if err != nil {
			t.Fatal(err)
		}
		var got any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		for _, seg := range strings.Split(path, ".") {
			m, _ := got.(map[string]any)
			got = m[seg]
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the schema says the default is %v, zds applies %v", path, want, got)
		}
	}
}
