// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package zds

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/utilities"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/service"
)

// Paths (numbers index lists) of the values a Pulumi input may replace.
var (
	imagePath          = []string{"spec", "template", "spec", "containers", "0", "image"}
	certificatePath    = []string{"metadata", "annotations", service.AnnCertificateArn}
	nlbCertificatePath = []string{"metadata", "annotations", service.AnnNLBSSLCert}
	targetGroupARNPath = []string{"spec", "targetGroupARN"}
)

// inputAt is a Pulumi input to put at a path in an object.
type inputAt struct {
	path  []string
	input pulumi.Input
}

// register registers obj, a Kubernetes API object, as a pulumi-kubernetes
// resource of type token, with the inputs at the given paths replaced by
// Pulumi inputs. res receives the typed outputs, exactly as the SDK's own
// constructors (NewDeployment, ...) would set them, so users see ordinary
// kubernetes resources: the object goes to the provider as its plain JSON
// form, from one builder shared with every other consumer.
func register(ctx *pulumi.Context, token, name string, obj any, inputs []inputAt, res pulumi.CustomResource, opts ...pulumi.ResourceOption) error {
	m, err := manifests.ToMap(obj)
	if err != nil {
		return err
	}
	for _, in := range inputs {
		if err := setPath(m, in.path, in.input); err != nil {
			return err
		}
	}
	return ctx.RegisterResource(token, name, toInput(m).(pulumi.Map), res, utilities.PkgResourceDefaultOpts(opts)...)
}

// setPath sets the value at a path, creating maps on the way.
func setPath(m map[string]any, parts []string, v any) error {
	var cur any = m
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[p] = v
				return nil
			}
			next, ok := c[p]
			if !ok {
				next = map[string]any{}
				c[p] = next
			}
			cur = next
		case []any:
			idx, err := strconv.Atoi(p)
			if err != nil || idx >= len(c) {
				return fmt.Errorf("path %q: no element %q", parts, p)
			}
			if last {
				c[idx] = v
				return nil
			}
			cur = c[idx]
		default:
			return fmt.Errorf("path %q: %q is not a map or list", parts, p)
		}
	}
	return nil
}

// toInput converts JSON data to Pulumi inputs, passing inputs through.
func toInput(v any) pulumi.Input {
	switch v := v.(type) {
	case pulumi.Input:
		return v
	case map[string]any:
		out := pulumi.Map{}
		for k, e := range v {
			out[k] = toInput(e)
		}
		return out
	case []any:
		out := pulumi.Array{}
		for _, e := range v {
			out = append(out, toInput(e))
		}
		return out
	case string:
		return pulumi.String(v)
	case bool:
		return pulumi.Bool(v)
	case float64:
		return pulumi.Float64(v)
	}
	panic(fmt.Sprintf("zds: unexpected JSON value %T", v))
}
