// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command gen writes every generated file: the JSON Schema of spec files
// (from the Go types and their doc comments), the reference page generated
// from that schema, and the timing page (its numbers come from the code).
// Run it with `make generate`; CI fails when its output differs from what is
// committed.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"

	"github.com/invopop/jsonschema"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/schema"
)

const module = "github.com/zerodowntime/zds"

// Outputs, relative to the module root.
var (
	schemaPath    = filepath.Join("schema", schema.FileName)
	referencePath = filepath.Join("docs", "reference.md")
	timingPath    = filepath.Join("docs", "timing.md")
)

func main() {
	root, err := moduleRoot()
	if err != nil {
		fail(err)
	}
	files, err := generate(root)
	if err != nil {
		fail(err)
	}
	for _, dir := range sdkDirs {
		if err := os.RemoveAll(filepath.Join(root, dir)); err != nil {
			fail(err)
		}
	}
	for path, content := range files {
		full := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			fail(err)
		}
		if err := os.WriteFile(full, content, 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}

// generate returns every generated file's content by path.
func generate(root string) (map[string][]byte, error) {
	sch, err := schemaJSON(root)
	if err != nil {
		return nil, err
	}
	ref, err := reference(sch)
	if err != nil {
		return nil, err
	}
	tim, err := timingDoc(root)
	if err != nil {
		return nil, err
	}
	psch, err := pulumiSchema(root, sch)
	if err != nil {
		return nil, fmt.Errorf("the Pulumi package schema: %w", err)
	}
	api, err := apiDocs(root, psch)
	if err != nil {
		return nil, fmt.Errorf("the API docs: %w", err)
	}
	files := map[string][]byte{schemaPath: sch, referencePath: ref, timingPath: tim, pulumiSchemaPath: psch, apiDocsPath: api}
	sdkFiles, err := sdks(psch)
	if err != nil {
		return nil, err
	}
	for path, content := range sdkFiles {
		files[path] = content
	}
	return files, nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// schemaJSON reflects spec.Document, taking descriptions from the Go doc
// comments of package spec.
func schemaJSON(root string) ([]byte, error) {
	r := &jsonschema.Reflector{
		// Kubernetes API types keep their OpenAPI names, so they never meet
		// zds's own (Volume, EnvVar) and the reference links to their docs.
		Namer: func(t reflect.Type) string {
			if strings.HasPrefix(t.PkgPath(), "k8s.io/") {
				return k8sDefPrefix + path.Base(path.Dir(t.PkgPath())) + "." + path.Base(t.PkgPath()) + "." + t.Name()
			}
			return t.Name()
		},
		// A quantity is a string ("250m", "1Gi") or a number in YAML.
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			if t == reflect.TypeFor[resource.Quantity]() {
				return &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "string"}, {Type: "number"}}, Description: "a Kubernetes quantity, e.g. 250m or 1Gi"}
			}
			return nil
		},
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	// AddGoComments keys packages by their path relative to the module root.
	if err := os.Chdir(root); err != nil {
		return nil, err
	}
	defer os.Chdir(wd) //nolint:errcheck // best effort; the process ends soon
	if err := r.AddGoComments(module, "components/spec"); err != nil {
		return nil, fmt.Errorf("reading doc comments: %w", err)
	}
	s := r.Reflect(&spec.Document{})
	s.ID = schema.ID
	// The load-balancer kinds are the modes package service registers.
	kind, ok := s.Definitions["LoadBalancer"].Properties.Get("kind")
	if !ok {
		return nil, fmt.Errorf("schema: no loadBalancer.kind")
	}
	kind.Enum = nil
	for _, k := range service.Kinds() {
		kind.Enum = append(kind.Enum, k)
	}
	s.Title = "ZeroDowntimeService spec file"
	s.Description = "A service that zds deploys behind an AWS load balancer without dropping requests. Generated from the Go types in components/spec by `make generate`: do not edit."
	for _, def := range s.Definitions {
		def.Description = unwrap(def.Description)
		for pair := def.Properties.Oldest(); pair != nil; pair = pair.Next() {
			pair.Value.Description = unwrap(pair.Value.Description)
		}
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

var paragraphBreak = regexp.MustCompile(`\n\s*\n`)

// unwrap joins the hard-wrapped lines of a doc comment, keeping paragraphs.
func unwrap(s string) string {
	paras := paragraphBreak.Split(strings.TrimSpace(s), -1)
	for i, p := range paras {
		paras[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(paras, "\n\n")
}

// ---- reference page -------------------------------------------------------

type node struct {
	Ref         string           `json:"$ref"`
	Type        any              `json:"type"`
	Description string           `json:"description"`
	Default     any              `json:"default"`
	Enum        []any            `json:"enum"`
	Minimum     *json.Number     `json:"minimum"`
	Maximum     *json.Number     `json:"maximum"`
	MaxLength   *int             `json:"maxLength"`
	Pattern     string           `json:"pattern"`
	Items       *node            `json:"items"`
	OneOf       []*node          `json:"oneOf"`
	Additional  any              `json:"additionalProperties"`
	Properties  orderedNodes     `json:"properties"`
	Required    []string         `json:"required"`
	Defs        map[string]*node `json:"$defs"`
}

// orderedNodes keeps the schema's property order (the Go field order).
type orderedNodes struct {
	keys  []string
	nodes map[string]*node
}

func (o *orderedNodes) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	o.nodes = map[string]*node{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string)
		var n node
		if err := dec.Decode(&n); err != nil {
			return err
		}
		o.keys = append(o.keys, key)
		o.nodes[key] = &n
	}
	return nil
}

func refName(ref string) string { return strings.TrimPrefix(ref, "#/$defs/") }

// k8sDefPrefix starts the schema name of a Kubernetes API type, e.g.
// io.k8s.core.v1.Toleration.
const k8sDefPrefix = "io.k8s."

// k8sDocs links a Kubernetes API type to its reference, e.g.
// io.k8s.core.v1.Toleration to #toleration-v1-core.
func k8sDocs(def string) string {
	parts := strings.Split(strings.TrimPrefix(def, k8sDefPrefix), ".")
	group, version, kind := parts[0], parts[1], parts[2]
	if group == "api" || group == "apimachinery" {
		group = "core"
	}
	return fmt.Sprintf("[%s](https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.34/#%s-%s-%s) (Kubernetes)", kind, strings.ToLower(kind), version, group)
}

// reference renders the schema as a Markdown page: one table per object,
// in the order a reader meets them from the top of a document.
func reference(schemaJSON []byte) ([]byte, error) {
	var root node
	dec := json.NewDecoder(bytes.NewReader(schemaJSON))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("<!-- Generated by `make generate` from schema/" + schema.FileName + ": do not edit. -->\n\n")
	b.WriteString("# Spec file reference\n\n")
	b.WriteString("A spec file holds one or more YAML (or JSON) documents, each a `ZeroDowntimeService`. ")
	b.WriteString("`spec` is exactly the Go `ServiceSpec` that `ZeroDowntimeServiceArgs` embeds, so the same field names apply in Go (in PascalCase). ")
	b.WriteString("Durations are whole seconds, named `…Seconds`. Timings the component derives are explained in [timing.md](timing.md).\n\n")
	b.WriteString("Start a file with `# yaml-language-server: $schema=<path to schema/" + schema.FileName + ">` for completion and checks in editors.\n")

	start := refName(root.Ref)
	seen := map[string]bool{}
	queue := []string{start}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		def := root.Defs[name]
		if def == nil {
			return nil, fmt.Errorf("schema: no definition %q", name)
		}
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n", name, def.Description)
		b.WriteString("| field | type | default | constraints | description |\n|---|---|---|---|---|\n")
		for _, key := range def.Properties.keys {
			p := def.Properties.nodes[key]
			typ, next := typeOf(p)
			if next != "" {
				queue = append(queue, next)
			}
			req := ""
			for _, r := range def.Required {
				if r == key {
					req = " **(required)**"
				}
			}
			fmt.Fprintf(&b, "| `%s`%s | %s | %s | %s | %s |\n", key, req, typ, defaultOf(p), constraints(p), cell(p.Description))
		}
	}
	return []byte(b.String()), nil
}

func typeOf(p *node) (string, string) {
	switch {
	case p.Ref != "" && strings.HasPrefix(refName(p.Ref), k8sDefPrefix):
		return k8sDocs(refName(p.Ref)), ""
	case p.Ref != "":
		n := refName(p.Ref)
		return fmt.Sprintf("[%s](#%s)", n, strings.ToLower(n)), n
	case p.Type == "array" && p.Items != nil:
		t, next := typeOf(p.Items)
		return "list of " + t, next
	case p.Type == "object" && p.Additional != nil:
		return "map of string", ""
	}
	return fmt.Sprint(p.Type), ""
}

func defaultOf(p *node) string {
	if p.Default == nil {
		return ""
	}
	return fmt.Sprintf("`%v`", p.Default)
}

func constraints(p *node) string {
	var c []string
	if len(p.Enum) > 0 {
		var vals []string
		for _, e := range p.Enum {
			vals = append(vals, fmt.Sprintf("`%v`", e))
		}
		c = append(c, "one of "+strings.Join(vals, ", "))
	}
	if p.Minimum != nil {
		c = append(c, "≥ "+p.Minimum.String())
	}
	if p.Maximum != nil {
		c = append(c, "≤ "+p.Maximum.String())
	}
	if p.MaxLength != nil {
		c = append(c, fmt.Sprintf("at most %d characters", *p.MaxLength))
	}
	if p.Pattern != "" {
		c = append(c, "matches `"+strings.ReplaceAll(p.Pattern, "|", `\|`)+"`")
	}
	return strings.Join(c, "; ")
}

func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n\n", "<br><br>")
}
