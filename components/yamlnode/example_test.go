// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package yamlnode_test

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/zerodowntime/zds/components/yamlnode"
)

func ExampleNesting() {
	data := "spec:\n  x: " + strings.Repeat("[", 100000) + "\n"
	line, col, msg, ok := yamlnode.Nesting([]byte(data))
	fmt.Println(line, col, ok)
	fmt.Println(msg)
	// Output:
	// 2 106 false
	// more than 100 [ and { open at once: no Kubernetes object or spec nests this deep
}

func ExampleValue() {
	var doc yaml.Node
	_ = yaml.Unmarshal([]byte("defaults: &d {replicas: 3, image: web}\nspec:\n  <<: *d\n  replicas: 5\n"), &doc)
	v, _ := yamlnode.Value(&doc)
	fmt.Println(v.(map[string]any)["spec"])
	// Output:
	// map[image:web replicas:5]
}

func ExampleSyntaxError() {
	data := []byte("spec:\n  image: web\n  app: {maxRequestSeconds: 15\n")
	var n yaml.Node
	err := yaml.Unmarshal(data, &n)
	fmt.Println(yamlnode.SyntaxError(data, err))
	// Output:
	// 3 8 not valid YAML: did not find expected ',' or '}'
}

func ExampleAt() {
	var n yaml.Node
	_ = yaml.Unmarshal([]byte("spec:\n  patches:\n    - kind: Service\n      patch: {}\n"), &n)
	at := yamlnode.At(n.Content[0], []string{"spec", "patches", "0", "patch"})
	fmt.Println(at.Line, at.Column, at.Value)
	// Output:
	// 4 7 patch
}
