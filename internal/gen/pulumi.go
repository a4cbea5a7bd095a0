// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/invopop/jsonschema"
	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/zds"
	"github.com/zerodowntime/zds/provider"
)

// The Pulumi package schema is the spec's JSON Schema in Pulumi's terms:
// every ServiceSpec property (plain: zds derives the timing chain from it
// before anything is registered), the service's name and namespace, and
// the four inputs that may be other resources' outputs; the outputs are
// the component's pulumi-tagged fields. Descriptions are the same doc
// comments.

var pulumiSchemaPath = filepath.Join("provider", provider.SchemaFileName)

const (
	indexModule = "zds:index:"
	k8sModule   = "zds:k8s:"
)

// pulumiResourceDescription is the component's description in every SDK and
// in the API docs; the examples are appended from examples/.
const pulumiResourceDescription = "A web service on Kubernetes behind an AWS load balancer (an ALB Ingress, an NLB Service or a TargetGroupBinding) " +
	"that rolls out, scales down and drains without dropping a request. zds derives the preStop sleep, the deregistration delay " +
	"and the termination grace period from facts about the app and the load balancer, checks every rule of the timing chain " +
	"(grace > preStop + shutdown > deregistration delay) before anything is registered, and registers the namespace's " +
	"readiness-gate label, the Service, the PodDisruptionBudget and the Deployment in the order that makes the gate work. " +
	"Every setting is the spec file's field of the same name (docs/reference.md)."

func pulumiSchema(root string, jsonSchema []byte) ([]byte, error) {
	var doc struct {
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(jsonSchema, &doc); err != nil {
		return nil, err
	}
	defs := map[string]*node{}
	for name, raw := range doc.Defs {
		var d node
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("$defs.%s: %w", name, err)
		}
		defs[name] = &d
	}
	c := converter{defs: defs, tokens: map[string]string{}}
	if err := c.nameTypes(); err != nil {
		return nil, err
	}

	comments, err := goComments(root, "components/zds")
	if err != nil {
		return nil, err
	}
	res := pschema.ResourceSpec{
		IsComponent:     true,
		InputProperties: map[string]pschema.PropertySpec{},
		RequiredInputs:  []string{"image"},
	}
	examples, err := pulumiExamples(root)
	if err != nil {
		return nil, err
	}
	res.Description = pulumiResourceDescription + "\n\n" + examples

	meta := defs["Metadata"]
	for _, key := range []string{"name", "namespace"} {
		p, err := c.property(meta.Properties.nodes[key], true)
		if err != nil {
			return nil, fmt.Errorf("metadata.%s: %w", key, err)
		}
		if key == "name" {
			p.Description += " Defaults to the resource's name."
		}
		res.InputProperties[key] = p
	}
	svc := defs["ServiceSpec"]
	for _, key := range svc.Properties.keys {
		p, err := c.property(svc.Properties.nodes[key], !slices.Contains(provider.OutputInputs, key))
		if err != nil {
			return nil, fmt.Errorf("spec.%s: %w", key, err)
		}
		res.InputProperties[key] = p
	}
	res.RequiredInputs = append(res.RequiredInputs, svc.Required...)
	args := reflect.TypeFor[zds.ZeroDowntimeServiceArgs]()
	for _, key := range provider.OutputInputs {
		if key == "image" {
			continue // a spec field, above
		}
		f, ok := args.FieldByName(strings.ToUpper(key[:1]) + key[1:])
		if !ok {
			return nil, fmt.Errorf("ZeroDowntimeServiceArgs has no field for the input %s", key)
		}
		res.InputProperties[key] = pschema.PropertySpec{
			TypeSpec:    pschema.TypeSpec{Type: "string"},
			Description: unwrap(comments[fullName(args)+"."+f.Name]),
		}
	}
	img := res.InputProperties["image"]
	img.Description += " It may be another resource's output, e.g. an ECR image URI."
	res.InputProperties["image"] = img

	// Outputs: the component's pulumi-tagged fields.
	res.Properties = map[string]pschema.PropertySpec{}
	comp := reflect.TypeFor[zds.ZeroDowntimeService]()
	for i := range comp.NumField() {
		f := comp.Field(i)
		tag := f.Tag.Get("pulumi")
		if tag == "" {
			continue
		}
		var typ string
		switch f.Type {
		case reflect.TypeFor[pulumi.IntOutput]():
			typ = "integer"
		case reflect.TypeFor[pulumi.StringOutput]():
			typ = "string"
		default:
			return nil, fmt.Errorf("output %s: no schema type for %s", tag, f.Type)
		}
		desc := unwrap(comments[fullName(comp)+"."+f.Name])
		if desc == "" {
			return nil, fmt.Errorf("output %s (ZeroDowntimeService.%s) has no doc comment", tag, f.Name)
		}
		res.Properties[tag] = pschema.PropertySpec{TypeSpec: pschema.TypeSpec{Type: typ}, Description: desc}
		res.Required = append(res.Required, tag)
	}
	sort.Strings(res.Required)

	spec := pschema.PackageSpec{
		Name:        provider.Name,
		DisplayName: "zds: zero-downtime services on EKS",
		Version:     provider.Version,
		Description: "ZeroDowntimeService: web services on EKS behind AWS load balancers with derived, checked timings, so rollouts, scale-downs and node drains drop no request.",
		Keywords:    []string{"pulumi", "kubernetes", "eks", "aws", "alb", "zero-downtime", "kind/component", "category/cloud"},
		Homepage:    "https://github.com/zerodowntime/zds",
		Repository:  "https://github.com/zerodowntime/zds",
		License:     "Apache-2.0",
		Publisher:   "The zds authors",
		Resources:   map[string]pschema.ResourceSpec{zds.TypeToken: res},
		Types:       c.types,
		Language: map[string]pschema.RawMessage{
			"nodejs": rawJSON(map[string]any{
				"packageName":          "@zerodowntime/zds",
				"packageDescription":   "ZeroDowntimeService: zero-downtime web services on EKS behind AWS load balancers, with derived and checked timings.",
				"dependencies":         map[string]string{"@pulumi/pulumi": "^3.142.0"},
				"respectSchemaVersion": true,
			}),
			"python": rawJSON(map[string]any{
				"packageName":          "pulumi_zds",
				"requires":             map[string]string{"pulumi": ">=3.142.0,<4.0.0"},
				"respectSchemaVersion": true,
				"pyproject":            map[string]bool{"enabled": true},
			}),
			"go": rawJSON(map[string]any{
				"importBasePath":       "github.com/zerodowntime/zds/sdk/go/zds",
				"respectSchemaVersion": true,
			}),
		},
	}
	if c.err != nil {
		return nil, c.err
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func rawJSON(v any) pschema.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func fullName(t reflect.Type) string { return t.PkgPath() + "." + t.Name() }

// goComments are the doc comments of one package of the module, keyed
// pkgpath.Type.Field.
func goComments(root, dir string) (map[string]string, error) {
	r := &jsonschema.Reflector{}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	if err := os.Chdir(root); err != nil {
		return nil, err
	}
	defer os.Chdir(wd) //nolint:errcheck // best effort
	if err := r.AddGoComments(module, dir); err != nil {
		return nil, err
	}
	return r.CommentMap, nil
}

type converter struct {
	defs   map[string]*node
	tokens map[string]string // JSON Schema definition -> Pulumi type token
	types  map[string]pschema.ComplexTypeSpec
	err    error
}

// nameTypes gives every object definition but the document's own a Pulumi
// token: zds's types in the index module, the Kubernetes API's in module
// k8s under their Kubernetes names.
func (c *converter) nameTypes() error {
	byToken := map[string]string{}
	for name := range c.defs {
		switch name {
		case "Document", "Metadata", "ServiceSpec":
			continue
		}
		tok := indexModule + name
		if strings.HasPrefix(name, k8sDefPrefix) {
			tok = k8sModule + name[strings.LastIndex(name, ".")+1:]
		}
		if other, dup := byToken[tok]; dup {
			return fmt.Errorf("definitions %s and %s would both be the Pulumi type %s", other, name, tok)
		}
		byToken[tok] = name
		c.tokens[name] = tok
	}
	c.types = map[string]pschema.ComplexTypeSpec{}
	for name, tok := range c.tokens {
		d := c.defs[name]
		if d.Type != "object" {
			return fmt.Errorf("definition %s is a %s, not an object", name, d.Type)
		}
		obj := pschema.ObjectTypeSpec{Type: "object", Description: d.Description, Properties: map[string]pschema.PropertySpec{}, Required: d.Required}
		for _, key := range d.Properties.keys {
			p, err := c.property(d.Properties.nodes[key], true)
			if err != nil {
				return fmt.Errorf("%s.%s: %w", name, key, err)
			}
			obj.Properties[key] = p
		}
		c.types[tok] = pschema.ComplexTypeSpec{ObjectTypeSpec: obj}
	}
	return nil
}

// property converts one JSON Schema property; its default, allowed values
// and bounds join its description, which every SDK and the API docs show.
func (c *converter) property(n *node, plain bool) (pschema.PropertySpec, error) {
	t, err := c.typeSpec(n, plain)
	if err != nil {
		return pschema.PropertySpec{}, err
	}
	desc := n.Description
	var notes []string
	if len(n.Enum) > 0 {
		vals := make([]string, len(n.Enum))
		for i, e := range n.Enum {
			vals[i] = fmt.Sprintf("`%v`", e)
		}
		notes = append(notes, "One of "+strings.Join(vals, ", ")+".")
	}
	if n.Minimum != nil && n.Maximum != nil {
		notes = append(notes, fmt.Sprintf("From %s to %s.", n.Minimum, n.Maximum))
	}
	if n.Default != nil && !strings.Contains(strings.ToLower(desc), "default") {
		notes = append(notes, fmt.Sprintf("Default: `%v`.", n.Default))
	}
	if len(notes) > 0 {
		desc = strings.TrimSpace(desc + " " + strings.Join(notes, " "))
	}
	return pschema.PropertySpec{TypeSpec: t, Description: desc}, nil
}

func (c *converter) typeSpec(n *node, plain bool) (pschema.TypeSpec, error) {
	switch {
	case n.Ref != "":
		tok, ok := c.tokens[refName(n.Ref)]
		if !ok {
			return pschema.TypeSpec{}, fmt.Errorf("no Pulumi type for %s", n.Ref)
		}
		return pschema.TypeSpec{Ref: "#/types/" + tok, Plain: plain}, nil
	case len(n.OneOf) > 0:
		var alts []pschema.TypeSpec
		for _, o := range n.OneOf {
			t, err := c.typeSpec(o, plain)
			if err != nil {
				return pschema.TypeSpec{}, err
			}
			alts = append(alts, t)
		}
		return pschema.TypeSpec{OneOf: alts, Plain: plain}, nil
	}
	switch fmt.Sprint(n.Type) {
	case "string", "integer", "number", "boolean":
		return pschema.TypeSpec{Type: fmt.Sprint(n.Type), Plain: plain}, nil
	case "array":
		if n.Items == nil {
			return pschema.TypeSpec{}, fmt.Errorf("an array without items")
		}
		items, err := c.typeSpec(n.Items, plain)
		if err != nil {
			return pschema.TypeSpec{}, err
		}
		return pschema.TypeSpec{Type: "array", Items: &items, Plain: plain}, nil
	case "object":
		if ap, ok := n.Additional.(map[string]any); ok {
			if ap["type"] != "string" {
				return pschema.TypeSpec{}, fmt.Errorf("a map of %v", ap["type"])
			}
			return pschema.TypeSpec{Type: "object", AdditionalProperties: &pschema.TypeSpec{Type: "string", Plain: plain}, Plain: plain}, nil
		}
		// A free-form object (a patch): any JSON value.
		return pschema.TypeSpec{Ref: "pulumi.json#/Any", Plain: plain}, nil
	}
	return pschema.TypeSpec{}, fmt.Errorf("no Pulumi type for a JSON Schema %v", n.Type)
}

// pulumiExamples is the resource's examples section, one program per
// language, read from examples/ (where CI type-checks or compiles each).
func pulumiExamples(root string) (string, error) {
	var b strings.Builder
	b.WriteString("{{% examples %}}\n## Example Usage\n\n{{% example %}}\n### A web service behind an ALB\n\n")
	for _, ex := range languageExamples {
		src, err := readExample(root, ex.path)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "```%s\n%s\n```\n", ex.lang, src)
	}
	b.WriteString("{{% /example %}}\n{{% /examples %}}")
	return b.String(), nil
}

// languageExamples are the example programs, in the docs' language order.
var languageExamples = []struct{ lang, path string }{
	{"typescript", "examples/typescript/index.ts"},
	{"python", "examples/python/__main__.py"},
	{"go", "examples/readme/main.go"},
	{"yaml", "examples/yaml/Pulumi.yaml"},
}

// stripLicence drops a file's leading licence comment lines.
func stripLicence(s string) string {
	lines := strings.Split(s, "\n")
	for len(lines) > 0 && (strings.Contains(lines[0], "SPDX-License-Identifier") || strings.Contains(lines[0], "Copyright 2026 The zds authors")) {
		lines = lines[1:]
	}
	return strings.Join(lines, "\n")
}
