// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package provider serves the Go component ZeroDowntimeService to every
// Pulumi language as a component provider (pulumi-go-provider): TypeScript,
// Python and YAML programs construct it through Construct, which decodes the
// inputs into the same spec.ServiceSpec a spec file decodes into and calls
// zds.NewZeroDowntimeService. There is no second implementation and no
// second copy of the arguments: the package schema (schema.json, what the
// SDKs and API docs are generated from) is generated from the spec's JSON
// Schema and doc comments by `make generate`.
package provider

import (
	"context"
	_ "embed"
	"fmt"
	"reflect"

	p "github.com/pulumi/pulumi-go-provider"
	comProvider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/zds"
)

// Name is the package's name: its resource is zds:index:ZeroDowntimeService.
const Name = "zds"

// Version is the package's version, the schema's and the SDKs'. It follows
// the newest release in CHANGELOG.md (a test keeps them equal).
const Version = "0.2.0"

// SchemaFileName is the package schema's file name in this directory.
const SchemaFileName = "schema.json"

// Schema is the Pulumi package schema that GetSchema returns.
//
//go:embed schema.json
var Schema []byte

// New is the provider: GetSchema and Construct; the engine's other calls
// get pulumi-go-provider's defaults (a component provider has no custom
// resources).
func New() p.Provider {
	return p.Provider{
		GetSchema: func(context.Context, p.GetSchemaRequest) (p.GetSchemaResponse, error) {
			return p.GetSchemaResponse{Schema: string(Schema)}, nil
		},
		Construct: construct,
	}
}

// Run serves the provider to the Pulumi engine (the plugin's main).
func Run(ctx context.Context) error { return p.RunProvider(ctx, Name, Version, New()) }

// outputInputs are the inputs that may be other resources' outputs, unknown
// during a preview: they are passed on as Pulumi inputs, as a Go program
// passes them.
type outputInputs struct {
	Image          pulumi.StringInput `pulumi:"image"`
	CertificateArn pulumi.StringInput `pulumi:"certificateArn"`
	VpcId          pulumi.StringInput `pulumi:"vpcId"`
	ListenerArn    pulumi.StringInput `pulumi:"listenerArn"`
}

// OutputInputs are the names of the inputs that may be outputs of other
// resources (outputInputs' tags); every other input is a plain value zds
// derives timings from.
var OutputInputs = func() []string {
	var names []string
	t := reflect.TypeFor[outputInputs]()
	for i := range t.NumField() {
		names = append(names, t.Field(i).Tag.Get("pulumi"))
	}
	return names
}()

func construct(ctx context.Context, req p.ConstructRequest) (p.ConstructResponse, error) {
	if typ := string(req.Urn.Type()); typ != zds.TypeToken {
		return p.ConstructResponse{}, fmt.Errorf("unknown resource type %q: this provider constructs %s", typ, zds.TypeToken)
	}
	spec, err := serviceSpec(req.Urn.Name(), req.Inputs)
	if err != nil {
		return p.ConstructResponse{}, err
	}
	return p.ProgramConstruct(ctx, req, func(ctx *pulumi.Context, _, name string, inputs comProvider.ConstructInputs, opts pulumi.ResourceOption) (*comProvider.ConstructResult, error) {
		var in outputInputs
		if err := inputs.CopyTo(&in); err != nil {
			return nil, fmt.Errorf("reading the inputs of %s: %w", name, err)
		}
		c, err := zds.NewZeroDowntimeService(ctx, name, &zds.ZeroDowntimeServiceArgs{
			ServiceSpec:    *spec,
			Image:          in.Image,
			CertificateArn: in.CertificateArn,
			VpcId:          in.VpcId,
			ListenerArn:    in.ListenerArn,
		}, opts)
		if err != nil {
			return nil, inputErrors(name, err)
		}
		return comProvider.NewConstructResult(c)
	})
}
