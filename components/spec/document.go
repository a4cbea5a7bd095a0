// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package spec

// Spec-file identity.
const (
	// Group is the API group of zds's documents.
	Group      = "zds.dev"
	APIVersion = Group + "/v1alpha1"
	Kind       = "ZeroDowntimeService"
)

// Document is a spec file's document: a ZeroDowntimeService in the shape of
// a Kubernetes object. Spec maps onto the component's arguments field for
// field; metadata.name is the component's name and metadata.namespace its
// namespace.
type Document struct {
	// APIVersion must be zds.dev/v1alpha1.
	APIVersion string `json:"apiVersion" jsonschema:"enum=zds.dev/v1alpha1"`
	// Kind must be ZeroDowntimeService.
	Kind string `json:"kind" jsonschema:"enum=ZeroDowntimeService"`
	// Metadata names the service.
	Metadata Metadata `json:"metadata"`
	// Spec is the service: everything ZeroDowntimeServiceArgs holds.
	Spec ServiceSpec `json:"spec"`
}

// Metadata names a service.
type Metadata struct {
	// Name of the service: the component's name and the name of every
	// Kubernetes object it creates. A DNS-1035 label.
	Name string `json:"name" jsonschema:"pattern=^[a-z]([-a-z0-9]*[a-z0-9])?$,maxLength=63"`
	// Namespace of the objects. Defaults to "default".
	Namespace string `json:"namespace,omitempty" jsonschema:"pattern=^[a-z0-9]([-a-z0-9]*[a-z0-9])?$,maxLength=63"`
}

// ServiceSpec returns the spec with the metadata applied.
func (d Document) ServiceSpec() ServiceSpec {
	s := d.Spec.deepCopy()
	s.Name, s.Namespace = d.Metadata.Name, d.Metadata.Namespace
	return s
}
