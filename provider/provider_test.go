// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package provider_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"go.yaml.in/yaml/v3"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/components/zds"
	"github.com/zerodowntime/zds/provider"
	zdsschema "github.com/zerodowntime/zds/schema"
)

// The stack and project pulumi-go-provider's integration server gives
// the constructed component's context; the Go side runs in the same.
const (
	stack, project = "stack", "project"
	stackURN       = "urn:pulumi:" + stack + "::" + project + "::pulumi:pulumi:Stack::" + project + "-" + stack
)

func componentURN(name string) presource.URN {
	return presource.URN("urn:pulumi:" + stack + "::" + project + "::" + zds.TypeToken + "::" + name)
}

// server is the provider behind pulumi-go-provider's integration server:
// Construct runs as the engine would call it, registering into rec
// through a real gRPC resource monitor.
func server(t *testing.T, rec *preview.Recording, dryRun bool) integration.Server {
	t.Helper()
	s, err := integration.NewServer(t.Context(), provider.Name, semver.MustParse(provider.Version),
		integration.WithProvider(provider.New()), integration.WithMocks(rec.Monitor(dryRun)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// construct constructs one ZeroDowntimeService through the provider.
func construct(t *testing.T, rec *preview.Recording, dryRun bool, name string, inputs property.Map) (p.ConstructResponse, error) {
	t.Helper()
	return server(t, rec, dryRun).Construct(p.ConstructRequest{
		Urn:    componentURN(name),
		Parent: stackURN,
		Inputs: inputs,
		DryRun: dryRun,
	})
}

// toInputs is a plain value as an SDK sends it: numbers are float64.
func toInputs(t *testing.T, m map[string]any) property.Map {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var plain map[string]any
	if err := json.Unmarshal(b, &plain); err != nil {
		t.Fatal(err)
	}
	return presource.FromResourcePropertyMap(presource.NewPropertyMapFromMap(plain))
}

// specInputs are a spec file's documents as a TypeScript program would
// pass them: the spec's fields, with the name and namespace beside them.
func specInputs(t *testing.T, path string) (names []string, inputs []map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	for {
		var doc struct {
			Kind     string         `yaml:"kind"`
			Metadata map[string]any `yaml:"metadata"`
			Spec     map[string]any `yaml:"spec"`
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		if doc.Kind != "ZeroDowntimeService" {
			continue
		}
		in := doc.Spec
		if ns, ok := doc.Metadata["namespace"]; ok {
			in["namespace"] = ns
		}
		names = append(names, doc.Metadata["name"].(string))
		inputs = append(inputs, in)
	}
	return names, inputs
}

func exampleSpecFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../examples/*/*.zds.yaml")
	if err != nil || len(files) < 6 {
		t.Fatalf("example spec files: %v, %v", files, err)
	}
	return files
}

// goRecording is what the Go component registers for the same documents.
func goRecording(t *testing.T, path string) *preview.Recording {
	t.Helper()
	docs, err := specfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := preview.Run(func(ctx *pulumi.Context) error {
		for _, d := range docs {
			if _, err := zds.NewZeroDowntimeService(ctx, d.Metadata.Name, &zds.ZeroDowntimeServiceArgs{ServiceSpec: d.ServiceSpec()}); err != nil {
				return err
			}
		}
		return nil
	}, preview.Stack(project, stack))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// marshal is JSON as the tests read it (<unknown> unescaped).
func marshal(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSpace(b.String())
}

func registrations(rec *preview.Recording) string {
	var b strings.Builder
	for _, r := range rec.Resources() {
		deps := strings.Join(r.DependsOn, ",")
		b.WriteString(strings.Join([]string{r.URN, r.Parent, deps, r.CreateTimeout, r.UpdateTimeout, marshal(r.Inputs)}, " | "))
		b.WriteByte('\n')
	}
	return b.String()
}

// Construct registers exactly the children the Go component registers, with
// the same URNs, parents, dependencies, timeouts and inputs, for every
// document of every example spec file; and those are the objects `zds
// render` writes for the file (the golden objects).
func TestConstructRegistersWhatTheGoComponentRegisters(t *testing.T) {
	for _, path := range exampleSpecFiles(t) {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			names, inputs := specInputs(t, path)
			rec := preview.NewRecording()
			for i, name := range names {
				resp, err := construct(t, rec, false, name, toInputs(t, inputs[i]))
				if err != nil {
					t.Fatalf("Construct %s: %v", name, err)
				}
				if resp.Urn != componentURN(name) {
					t.Errorf("Construct returned URN %s, want %s", resp.Urn, componentURN(name))
				}
			}
			want := goRecording(t, path)
			if got, w := registrations(rec), registrations(want); got != w {
				t.Errorf("the provider registers other children than the Go component:\n got: %s\nwant: %s", got, w)
			}
			docs, err := specfile.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			rendered, err := render.Manifests(docs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := render.YAML(render.Distinct(rec.Manifests()))
			if err != nil {
				t.Fatal(err)
			}
			golden, err := render.YAML(rendered)
			if err != nil {
				t.Fatal(err)
			}
			if len(rendered) == 0 || !bytes.Equal(got, golden) {
				t.Errorf("the provider's objects differ from zds render -f %s", path)
			}
		})
	}
}

// The outputs Construct returns are the component's outputs, each named in
// the schema.
func TestConstructReturnsTheComponentsOutputs(t *testing.T) {
	names, inputs := specInputs(t, "../examples/basic/service.zds.yaml")
	resp, err := construct(t, preview.NewRecording(), false, names[0], toInputs(t, inputs[0]))
	if err != nil {
		t.Fatal(err)
	}
	var sch struct {
		Resources map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(provider.Schema, &sch); err != nil {
		t.Fatal(err)
	}
	outputs := sch.Resources[zds.TypeToken].Properties
	if len(outputs) < 13 {
		t.Fatalf("the schema has %d outputs", len(outputs))
	}
	for k := range outputs {
		if _, ok := resp.State.GetOk(k); !ok {
			t.Errorf("Construct returned no output %s", k)
		}
	}
	for k, v := range resp.State.AllStable {
		if _, ok := outputs[k]; !ok {
			t.Errorf("Construct returned %s, which the schema does not declare", k)
		}
		_ = v
	}
	// The basic example's derived values (docs/timing.md).
	for k, want := range map[string]float64{"deregistrationDelaySeconds": 45, "preStopSleepSeconds": 36, "terminationGracePeriodSeconds": 51} {
		if got := resp.State.Get(k); !got.IsNumber() || got.AsNumber() != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	if got := resp.State.Get("serviceName"); !got.IsString() || got.AsString() != "web" {
		t.Errorf("serviceName = %v, want web", got)
	}
}

func TestGetSchemaReturnsTheCommittedSchema(t *testing.T) {
	committed, err := os.ReadFile(provider.SchemaFileName)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server(t, preview.NewRecording(), false).GetSchema(p.GetSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Schema != string(committed) {
		t.Errorf("GetSchema differs from the committed %s", provider.SchemaFileName)
	}
	spec, err := p.GetSchema(t.Context(), provider.Name, provider.Version, provider.New())
	if err != nil {
		t.Fatal(err)
	}
	if spec.Name != provider.Name || spec.Version != provider.Version {
		t.Errorf("schema names %s %s, want %s %s", spec.Name, spec.Version, provider.Name, provider.Version)
	}
	if r, ok := spec.Resources[zds.TypeToken]; !ok || !r.IsComponent {
		t.Errorf("the schema has no component %s", zds.TypeToken)
	}
}

func basicInputs(t *testing.T) map[string]any {
	t.Helper()
	_, inputs := specInputs(t, "../examples/basic/service.zds.yaml")
	return inputs[0]
}

// Invalid inputs are refused with every problem, each naming the input as
// the program wrote it, the rule and the fix, in the Go component's words;
// nothing is registered.
func TestInvalidInputsNameTheFieldAndTheRule(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(m map[string]any)
		want   []string
	}{
		{"timing rule", func(m map[string]any) {
			m["timing"] = map[string]any{"deregistrationDelaySeconds": 10}
		}, []string{"timing.deregistrationDelaySeconds: Invalid value: 10: rule 1"}},
		{"schema bound and unknown field", func(m map[string]any) {
			m["port"] = 70000
			m["app"].(map[string]any)["maxRequestSecond"] = 15
		}, []string{"port: Invalid value: 70000: must be at most 65535", `app.maxRequestSecond: unknown field "maxRequestSecond"`}},
		{"list element", func(m map[string]any) {
			m["env"] = []any{map[string]any{"name": "A", "value": "1"}, map[string]any{"value": "2"}}
		}, []string{"env[1]"}},
		{"missing required", func(m map[string]any) { delete(m, "app") }, []string{"app"}},
		{"bad name", func(m map[string]any) { m["name"] = "Web_1" }, []string{"name: "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := basicInputs(t)
			tc.mutate(in)
			rec := preview.NewRecording()
			_, err := construct(t, rec, false, "web", toInputs(t, in))
			if err == nil {
				t.Fatal("Construct accepted invalid inputs")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "spec.") {
				t.Errorf("error names spec-file paths, not inputs:\n%v", err)
			}
			if n := len(rec.Resources()); n != 0 {
				t.Errorf("%d resources registered despite the error", n)
			}
		})
	}
}

// The provider's words are the Go component's, with the inputs' paths.
func TestInvalidInputsSayWhatGoSays(t *testing.T) {
	in := basicInputs(t)
	in["timing"] = map[string]any{"deregistrationDelaySeconds": 10, "preStopSleepSeconds": 3}
	_, perr := construct(t, preview.NewRecording(), false, "web", toInputs(t, in))
	docs, err := specfile.Load("../examples/basic/service.zds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := docs[0].ServiceSpec()
	d, ps := 10, 3
	s.Timing.DeregistrationDelaySeconds, s.Timing.PreStopSleepSeconds = &d, &ps
	gerr := zds.Validate("web", &zds.ZeroDowntimeServiceArgs{ServiceSpec: s})
	if perr == nil || gerr == nil {
		t.Fatalf("errors: provider %v, Go %v", perr, gerr)
	}
	var inv *provider.InvalidInputsError
	if !errors.As(perr, &inv) {
		// The error crossed the provider boundary as text.
		t.Logf("provider error is %T", perr)
	}
	goLines := strings.Split(gerr.Error(), "\n  - ")[1:]
	if len(goLines) < 2 {
		t.Fatalf("want at least two problems, Go says %v", gerr)
	}
	for _, l := range goLines {
		if want := strings.TrimPrefix(l, "spec."); !strings.Contains(perr.Error(), want) {
			t.Errorf("the provider does not say %q:\n%v", want, perr)
		}
	}
}

// Image, certificateArn, vpcId and listenerArn may be unknown in a
// preview: the component is constructed and the Deployment's image stays
// unknown. A plain input that is unknown is refused by name.
func TestUnknownInputsInPreview(t *testing.T) {
	in := toInputs(t, basicInputs(t))
	in = in.Set("image", property.New(property.Computed))
	in = in.Set("certificateArn", property.New(property.Computed))
	rec := preview.NewRecording()
	if _, err := construct(t, rec, true, "web", in); err != nil {
		t.Fatalf("Construct with unknown image and certificate: %v", err)
	}
	deps := rec.Find("kubernetes:apps/v1:Deployment")
	if len(deps) != 1 {
		t.Fatalf("%d Deployments", len(deps))
	}
	b := marshal(deps[0].Inputs)
	if !strings.Contains(b, `"image":"`+preview.Unknown+`"`) {
		t.Errorf("the Deployment's image is not unknown: %s", b)
	}
	ing := rec.Find("kubernetes:networking.k8s.io/v1:Ingress")
	b = marshal(ing[0].Inputs)
	if !strings.Contains(b, `"alb.ingress.kubernetes.io/certificate-arn":"`+preview.Unknown+`"`) {
		t.Errorf("the Ingress's certificate is not unknown: %s", b)
	}

	plain := toInputs(t, basicInputs(t))
	app := plain.Get("app").AsMap().Set("maxRequestSeconds", property.New(property.Computed))
	plain = plain.Set("app", property.New(app))
	rec = preview.NewRecording()
	_, err := construct(t, rec, true, "web", plain)
	if err == nil || !strings.Contains(err.Error(), "app.maxRequestSeconds: comes from another resource's output") {
		t.Errorf("an unknown plain input: %v", err)
	}
	if len(rec.Resources()) != 0 {
		t.Errorf("resources registered despite the error")
	}

	secret := toInputs(t, basicInputs(t))
	secret = secret.Set("env", property.New(property.NewArray([]property.Value{property.New(property.NewMap(map[string]property.Value{
		"name": property.New("TOKEN"), "value": property.New("hunter2").WithSecret(true),
	}))})))
	_, err = construct(t, preview.NewRecording(), false, "web", secret)
	if err == nil || !strings.Contains(err.Error(), "env[0].value: is a secret") {
		t.Errorf("a secret plain input: %v", err)
	}
}

// An image that is known but secret, or carries dependencies, keeps them:
// it is passed on as a Pulumi input, as a Go program passes it.
func TestImageOutputKeepsItsDependencies(t *testing.T) {
	in := toInputs(t, basicInputs(t))
	other := presource.URN("urn:pulumi:dev::zds::aws:ecr/repository:Repository::web")
	in = in.Set("image", property.New("1234.dkr.ecr.eu-west-1.amazonaws.com/web:2").WithDependencies([]presource.URN{other}))
	rec := preview.NewRecording()
	if _, err := construct(t, rec, false, "web", in); err != nil {
		t.Fatal(err)
	}
	dep := rec.Find("kubernetes:apps/v1:Deployment")[0]
	if !slices.Contains(dep.DependsOn, string(other)) {
		t.Errorf("the Deployment does not depend on the image's resource: %v", dep.DependsOn)
	}
	b := marshal(dep.Inputs)
	if !strings.Contains(b, "dkr.ecr.eu-west-1.amazonaws.com/web:2") {
		t.Errorf("the Deployment lacks the image: %s", b)
	}
}

// The Pulumi YAML example constructs, through the provider, exactly the
// objects of the basic example's spec file (the same service).
func TestYAMLExampleRendersTheBasicExample(t *testing.T) {
	raw, err := os.ReadFile("../examples/yaml/Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var program struct {
		Config map[string]struct {
			Default string `yaml:"default"`
		} `yaml:"config"`
		Resources map[string]struct {
			Type       string         `yaml:"type"`
			Properties map[string]any `yaml:"properties"`
		} `yaml:"resources"`
	}
	if err := yaml.Unmarshal(raw, &program); err != nil {
		t.Fatal(err)
	}
	web, ok := program.Resources["web"]
	if !ok || web.Type != zds.TypeToken {
		t.Fatalf("the YAML program has no %s named web", zds.TypeToken)
	}
	// Pulumi YAML interpolates ${config} before the engine sees the value.
	image := web.Properties["image"].(string)
	for k, v := range program.Config {
		image = strings.ReplaceAll(image, "${"+k+"}", v.Default)
	}
	web.Properties["image"] = image
	rec := preview.NewRecording()
	if _, err := construct(t, rec, false, "web", toInputs(t, web.Properties)); err != nil {
		t.Fatal(err)
	}
	docs, err := specfile.Load("../examples/basic/service.zds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := render.Manifests(docs)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := render.YAML(render.Distinct(rec.Manifests()))
	want, _ := render.YAML(rendered)
	if !bytes.Equal(got, want) {
		t.Errorf("examples/yaml/Pulumi.yaml's service differs from examples/basic/service.zds.yaml's:\n%s", got)
	}
}

// The package schema's inputs are the spec's fields, each with the JSON
// Schema's description, plus the name, the namespace and the inputs that
// may be outputs: nothing is added, dropped or reworded on the way.
func TestSchemaInputsAreTheSpecFields(t *testing.T) {
	var js struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Description string `json:"description"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(zdsschema.JSON, &js); err != nil {
		t.Fatal(err)
	}
	var ps struct {
		Resources map[string]struct {
			InputProperties map[string]struct {
				Description string `json:"description"`
				Plain       bool   `json:"plain"`
			} `json:"inputProperties"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(provider.Schema, &ps); err != nil {
		t.Fatal(err)
	}
	inputs := ps.Resources[zds.TypeToken].InputProperties
	want := map[string]string{}
	for k, v := range js.Defs["ServiceSpec"].Properties {
		want[k] = v.Description
	}
	for k, v := range js.Defs["Metadata"].Properties {
		want[k] = v.Description
	}
	for k, desc := range want {
		in, ok := inputs[k]
		if !ok {
			t.Errorf("the spec field %s is no input", k)
			continue
		}
		if !strings.HasPrefix(in.Description, desc) {
			t.Errorf("input %s: description %q does not start with the spec's %q", k, in.Description, desc)
		}
		if in.Plain == slices.Contains(provider.OutputInputs, k) {
			t.Errorf("input %s: plain is %v", k, in.Plain)
		}
	}
	for k := range inputs {
		if _, ok := want[k]; !ok && !slices.Contains(provider.OutputInputs, k) {
			t.Errorf("input %s is no spec field", k)
		}
	}
}

// The package's version is the newest one CHANGELOG.md describes.
func TestVersionIsTheChangelogs(t *testing.T) {
	raw, err := os.ReadFile("../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "## v"); ok {
			if got := strings.Fields(v)[0]; got != provider.Version {
				t.Errorf("CHANGELOG.md's newest version is %s, provider.Version is %s", got, provider.Version)
			}
			return
		}
	}
	t.Fatal("CHANGELOG.md names no version")
}

// The README's TypeScript snippet is the example CI type-checks.
func TestREADMEQuotesTheTypeScriptExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- quoted from examples/typescript/index.ts: keep them equal (a test checks) -->\n```ts\n"
	_, rest, ok := strings.Cut(string(readme), marker)
	if !ok {
		t.Fatal("the README quotes no TypeScript example")
	}
	quoted, _, _ := strings.Cut(rest, "\n```")
	src, err := os.ReadFile("../examples/typescript/index.ts")
	if err != nil {
		t.Fatal(err)
	}
	if len(quoted) < 200 || !strings.Contains(string(src), quoted) {
		t.Errorf("the README's TypeScript snippet is not examples/typescript/index.ts's:\n%s", quoted)
	}
}

// A program's providers (an EKS cluster's kubernetes provider) and
// options reach every child, as they do from Go.
func TestProvidersReachTheChildren(t *testing.T) {
	k8s := p.ProviderReference{Urn: "urn:pulumi:" + stack + "::" + project + "::pulumi:providers:kubernetes::eks", ID: "eks-id"}
	rec := preview.NewRecording()
	_, err := server(t, rec, false).Construct(p.ConstructRequest{
		Urn:       componentURN("web"),
		Parent:    stackURN,
		Inputs:    toInputs(t, basicInputs(t)),
		Providers: map[tokens.Package]p.ProviderReference{"kubernetes": k8s},
		Protect:   ptrTo(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := string(k8s.Urn) + "::" + string(k8s.ID)
	n := 0
	for _, r := range rec.Resources() {
		if !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		n++
		if r.Provider != want {
			t.Errorf("%s: provider %q, want %q", r.URN, r.Provider, want)
		}
		if !r.Protect {
			t.Errorf("%s is not protected", r.URN)
		}
	}
	if n < 4 {
		t.Fatalf("%d Kubernetes children", n)
	}
}

func ptrTo[T any](v T) *T { return &v }
