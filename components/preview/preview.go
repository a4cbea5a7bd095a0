// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package preview runs a Pulumi Go program in-process under the Pulumi SDK's
// mock monitor and records every resource it registers: type, name, parent,
// dependencies, options and inputs. No Pulumi CLI, engine or provider plugin
// is involved, so it works anywhere Go does. The tests use it to check the
// component's wiring; `go run ./examples/basic` uses it to show what a
// program would create.
package preview

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/manifests"
)

// Unknown stands for a value that is not known before deployment (an output
// of another resource during a preview).
const Unknown = "<unknown>"

// Resource is one registration.
type Resource struct {
	URN      string
	Type     string
	Name     string
	Parent   string // the parent's URN
	Custom   bool   // false for component resources
	Provider string
	Protect  bool
	// DependsOn lists the URNs of explicit and input dependencies.
	DependsOn []string
	// CreateTimeout and UpdateTimeout are the customTimeouts option.
	CreateTimeout, UpdateTimeout string
	// Inputs are the resource's inputs as plain Go data (numbers float64);
	// unknown values are Unknown, secrets are their plain value.
	Inputs map[string]any
	// Transforms counts the transforms declared on the resource.
	Transforms int
}

// Recording is what a program registered.
type Recording struct {
	mu        sync.Mutex
	resources []*Resource
	// state adds output properties to a new resource (e.g. an Ingress
	// status that a real controller would write).
	state func(r *Resource) resource.PropertyMap
}

// Option configures a run.
type Option func(*config)

type config struct {
	project, stack string
	dryRun         bool
	state          func(r *Resource) resource.PropertyMap
}

// DryRun runs the program as `pulumi preview` does: outputs of resources
// are unknown.
func DryRun() Option { return func(c *config) { c.dryRun = true } }

// Stack sets the project and stack names (default "zds", "dev").
func Stack(project, stack string) Option {
	return func(c *config) { c.project, c.stack = project, stack }
}

// State adds output properties to each new resource, as a provider would.
func State(f func(r *Resource) resource.PropertyMap) Option {
	return func(c *config) { c.state = f }
}

// Run runs program under the mock monitor and returns what it registered.
// An error from the program is returned with the partial recording.
func Run(program pulumi.RunFunc, opts ...Option) (*Recording, error) {
	cfg := config{project: "zds", stack: "dev"}
	for _, o := range opts {
		o(&cfg)
	}
	rec := &Recording{state: cfg.state}
	err := pulumi.RunErr(program,
		pulumi.WithMocks(cfg.project, cfg.stack, mocks{rec: rec, dryRun: cfg.dryRun}),
		func(info *pulumi.RunInfo) { info.DryRun = cfg.dryRun })
	return rec, err
}

// NewRecording is an empty recording, for Monitor.
func NewRecording() *Recording { return &Recording{} }

// Monitor is the mock resource monitor Run uses, recording into r. A
// component provider's tests hand it to pulumi-go-provider's integration
// server, so what Construct registers is recorded exactly as a Go
// program's registrations are.
func (r *Recording) Monitor(dryRun bool) pulumi.MockResourceMonitor {
	return mocks{rec: r, dryRun: dryRun}
}

type mocks struct {
	rec    *Recording
	dryRun bool
}

func (m mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rpc := args.RegisterRPC
	r := &Resource{
		Type:       args.TypeToken,
		Name:       args.Name,
		Custom:     args.Custom,
		Provider:   args.Provider,
		Inputs:     plain(args.Inputs),
		Transforms: len(args.Transforms),
	}
	if rpc != nil {
		// The mock monitor's own decoding drops unknown values; decode the
		// request again keeping them, as a preview shows them.
		inputs, err := plugin.UnmarshalProperties(rpc.GetObject(), plugin.MarshalOptions{
			KeepUnknowns: true, KeepSecrets: true, KeepResources: true, KeepOutputValues: true,
		})
		if err != nil {
			return "", nil, fmt.Errorf("preview: decoding inputs of %s: %w", args.Name, err)
		}
		r.Inputs = plain(inputs)
		r.Parent = rpc.GetParent()
		r.Protect = rpc.GetProtect()
		r.DependsOn = slices.Clone(rpc.GetDependencies())
		for _, deps := range rpc.GetPropertyDependencies() {
			r.DependsOn = append(r.DependsOn, deps.GetUrns()...)
		}
		slices.Sort(r.DependsOn)
		r.DependsOn = slices.Compact(r.DependsOn)
		if t := rpc.GetCustomTimeouts(); t != nil {
			r.CreateTimeout, r.UpdateTimeout = t.GetCreate(), t.GetUpdate()
		}
	}
	r.URN = urn(r)
	state := args.Inputs.Copy()
	// AWS resources have an ARN once created; in a dry run it stays unknown.
	if strings.HasPrefix(args.TypeToken, "aws:") && !m.dryRun {
		if _, ok := state["arn"]; !ok {
			state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:mock:%s:%s", args.TypeToken, args.Name))
		}
	}
	if m.rec.state != nil {
		for k, v := range m.rec.state(r) {
			state[k] = v
		}
	}
	m.rec.mu.Lock()
	for _, other := range m.rec.resources {
		if other.URN == r.URN {
			m.rec.mu.Unlock()
			// The engine refuses this too: names must be unique per type and
			// parent chain.
			return "", nil, fmt.Errorf("duplicate resource URN %s: give each resource a unique name", r.URN)
		}
	}
	m.rec.resources = append(m.rec.resources, r)
	m.rec.mu.Unlock()
	// As in a real preview, a resource about to be created has no ID yet:
	// outputs derived from it stay unknown.
	id := ""
	if args.Custom && !m.dryRun {
		id = args.Name + "-id"
	}
	return id, state, nil
}

func (m mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	if args.Token == "pulumi:pulumi:getResource" {
		// A resource the program did not register here (a provider a
		// TypeScript program passes to a component provider's Construct)
		// is read back by URN; its ID follows NewResource's rule.
		urn := args.Args["urn"].StringValue()
		id := ""
		if !m.dryRun {
			id = urn[strings.LastIndex(urn, "::")+2:] + "-id"
		}
		return resource.PropertyMap{
			"urn":   resource.NewProperty(urn),
			"id":    resource.NewProperty(id),
			"state": resource.NewProperty(resource.PropertyMap{}),
		}, nil
	}
	return nil, fmt.Errorf("preview: no function calls are mocked (%s)", args.Token)
}

// urn rebuilds the URN the mock monitor gives a resource: the parent's type
// chain, then the type and name.
func urn(r *Resource) string {
	// urn:pulumi:stack::project::[parentTypes$]type::name
	if r.Parent == "" {
		return ""
	}
	parts := strings.SplitN(r.Parent, "::", 4)
	if len(parts) < 4 {
		return ""
	}
	qualified := parts[2]
	if !strings.HasSuffix(qualified, "pulumi:pulumi:Stack") {
		qualified += "$" + r.Type
	} else {
		qualified = r.Type
	}
	return parts[0] + "::" + parts[1] + "::" + qualified + "::" + r.Name
}

func plain(m resource.PropertyMap) map[string]any {
	return m.MapRepl(nil, func(v resource.PropertyValue) (any, bool) {
		switch {
		case v.IsComputed():
			return Unknown, true
		case v.IsOutput():
			if !v.OutputValue().Known {
				return Unknown, true
			}
			return plainValue(v.OutputValue().Element), true
		case v.IsSecret():
			return plainValue(v.SecretValue().Element), true
		}
		return nil, false
	})
}

func plainValue(v resource.PropertyValue) any {
	return plain(resource.PropertyMap{"v": v})["v"]
}

// rank orders resources that wait for nothing still pending: components
// and other providers' resources first, then Kubernetes objects in the
// apply order package manifests defines.
func rank(typ string) int {
	if !strings.HasPrefix(typ, "kubernetes:") {
		return -1
	}
	return manifests.KindRank(typ[strings.LastIndex(typ, ":")+1:])
}

// Resources returns the registrations, dependencies first: a topological
// order whose ties are broken by kind (Helm's install order) and URN, so it
// is the same on every run, as an engine would create them.
func (r *Recording) Resources() []*Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	index := map[string]int{}
	for i, res := range r.resources {
		index[res.URN] = i
	}
	deps := func(i int) []int {
		res := r.resources[i]
		var out []int
		for _, u := range append([]string{res.Parent}, res.DependsOn...) {
			if j, ok := index[u]; ok {
				out = append(out, j)
			}
		}
		return out
	}
	less := func(i, j int) int {
		a, b := r.resources[i], r.resources[j]
		return cmp.Or(cmp.Compare(rank(a.Type), rank(b.Type)), cmp.Compare(manifests.ObjectKey(a.Inputs), manifests.ObjectKey(b.Inputs)), cmp.Compare(a.URN, b.URN))
	}
	var out []*Resource
	for _, i := range manifests.ApplyOrder(len(r.resources), deps, less) {
		out = append(out, r.resources[i])
	}
	return out
}

// Find returns the resources of a type (all types when typ is "").
func (r *Recording) Find(typ string) []*Resource {
	var out []*Resource
	for _, res := range r.Resources() {
		if typ == "" || res.Type == typ {
			out = append(out, res)
		}
	}
	return out
}
