// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/zerodowntime/zds/components/outdir"
)

// crds is a file of the user's that looks like one zds writes into a
// directory: an NN- name, apiVersion and kind.
const crds = `{"apiVersion": "v1", "kind": "List", "items": []}` + "\n"

// TestIssue21Rows runs the rows of the #21 report that are fixed, each as
// the user ran it, so a regression on any fails here by its name. The
// package tests of outdir cover the same properties of the writer alone.
func TestIssue21Rows(t *testing.T) {
	render := func(dir string, extra ...string) []string {
		return append([]string{"render", "-f", filepath.Join(dir, "a.yaml"), "-d", filepath.Join(dir, "out")}, extra...)
	}
	rows := []cliRow{
		{name: "-d keeps a user's 00-crds.json that looks like zds's, with a note",
			files: map[string]string{"a.yaml": spec11, "out/00-crds.json": crds},
			args:  render("{dir}"), code: 0, stderr: []string{"00-crds.json was not written by zds; left as it is"},
			check: func(t *testing.T, dir string) {
				if b, err := os.ReadFile(filepath.Join(dir, "out", "00-crds.json")); err != nil || string(b) != crds {
					t.Errorf("00-crds.json: %q, %v", b, err)
				}
			}},
		{name: "-d never reaches into a subdirectory (a mount) or through a link",
			files: map[string]string{"a.yaml": spec11, "out/mnt/05-shop-deployment-web.yaml": fileHeader + "kind: X\n", "elsewhere/02-x.yaml": fileHeader, "out/link": "->../elsewhere"},
			args:  render("{dir}"), code: 0,
			check: func(t *testing.T, dir string) {
				// A second render with another format removes the YAML files
				// zds wrote, and nothing below out/.
				if code, _, stderr := zds(t, render(dir, "-o", "json")...); code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				for _, p := range []string{"out/mnt/05-shop-deployment-web.yaml", "elsewhere/02-x.yaml"} {
					if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
						t.Errorf("%s: %v", p, err)
					}
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 3 {
					t.Errorf("%d entries beside out/, want a.yaml, elsewhere and out (no temporary directory)", len(entries))
				}
			}},
		{name: "-d keeps the directory: its mode (setgid group directory) and identity",
			files: map[string]string{"a.yaml": spec11, "out/README.md": "mine\n"},
			args:  []string{"version"}, code: 0,
			check: func(t *testing.T, dir string) {
				out := filepath.Join(dir, "out")
				if err := os.Chmod(out, 0o775|os.ModeSetgid); err != nil {
					t.Fatal(err)
				}
				before, _ := os.Stat(out)
				mustRun(t, render(dir)...)
				mustRun(t, render(dir, "-o", "json")...)
				after, _ := os.Stat(out)
				if !os.SameFile(before, after) || after.Mode() != before.Mode() {
					t.Errorf("the directory was replaced or its mode changed: %v, was %v", after.Mode(), before.Mode())
				}
			}},
		{name: "-d . renders into the current directory",
			files: map[string]string{"a.yaml": spec11},
			args:  []string{"version"}, code: 0,
			check: func(t *testing.T, dir string) {
				t.Chdir(dir)
				mustRunQuiet(t, "render", "-f", "a.yaml", "-d", ".")
				_, _, stderr := zds(t, "render", "-f", "a.yaml", "-d", ".")
				if !strings.Contains(stderr, "a.yaml was not written by zds; left as it is") {
					t.Errorf("no note for the spec file beside the output: %s", stderr)
				}
				got := names(t, dir)
				if !slices.Contains(got, "a.yaml") || !slices.Contains(got, "07-shop-deployment-web.yaml") {
					t.Errorf("files %v", got)
				}
			}},
		{name: "-d to a dangling link is refused and creates nothing",
			files: map[string]string{"a.yaml": spec11, "out": "->nowhere"},
			args:  render("{dir}"), code: 1, stderr: []string{"out is a link to nowhere, which does not exist"},
			check: func(t *testing.T, dir string) {
				if _, err := os.Stat(filepath.Join(dir, "nowhere")); err == nil {
					t.Error("the link's target was created")
				}
			}},
		{name: "-d: two services in one namespace write one Namespace",
			files: map[string]string{"a.yaml": spec11 + "---\n" + strings.Replace(spec11, "name: web", "name: api", 1)},
			args:  render("{dir}"), code: 0,
			check: func(t *testing.T, dir string) {
				var ns []string
				for _, n := range names(t, filepath.Join(dir, "out")) {
					if strings.Contains(n, "-namespace-") {
						ns = append(ns, n)
					}
				}
				if len(ns) != 1 {
					t.Errorf("namespace files %v, want one", ns)
				}
				if _, err := os.Stat(filepath.Join(dir, "out", outdir.RecordName)); err != nil {
					t.Errorf("no record: %v", err)
				}
			}},
		{name: "explain --svg refuses to overwrite its input spec",
			files: map[string]string{"a.yaml": spec11},
			args:  []string{"explain", "-f", "{dir}/a.yaml", "--svg", "{dir}/a.yaml"}, code: 2, stderr: []string{"is an input spec file"},
			check: func(t *testing.T, dir string) {
				if b, _ := os.ReadFile(filepath.Join(dir, "a.yaml")); string(b) != spec11 {
					t.Error("the spec file changed")
				}
			}},
		{name: "explain --svg refuses a file it did not draw, and replaces one it did",
			files: map[string]string{"a.yaml": spec11, "notes.svg": "<svg>mine</svg>\n"},
			args:  []string{"explain", "-f", "{dir}/a.yaml", "--svg", "{dir}/notes.svg"}, code: 2, stderr: []string{"was not drawn by zds explain"},
			check: func(t *testing.T, dir string) {
				p := filepath.Join(dir, "t.svg")
				mustRunQuiet(t, "explain", "-f", filepath.Join(dir, "a.yaml"), "--svg", p)
				mustRunQuiet(t, "explain", "-f", filepath.Join(dir, "a.yaml"), "--svg", p)
			}},
		{name: "-o wide is not taken for a directory",
			files: map[string]string{"a.yaml": spec11},
			args:  []string{"render", "-f", "{dir}/a.yaml", "-o", "wide"}, code: 2, stderr: []string{`must be one of yaml, json, not "wide"`}, notStderr: []string{"--output-dir"}},
		{name: "-o out/ still points to --output-dir",
			files: map[string]string{"a.yaml": spec11},
			args:  []string{"render", "-f", "{dir}/a.yaml", "-o", "out/"}, code: 2, stderr: []string{"--output-dir out/"}},
		{name: "check --color sometimes is a usage error",
			files: map[string]string{"a.yaml": spec11},
			args:  []string{"check", "-f", "{dir}/a.yaml", "--color", "sometimes"}, code: 2, stderr: []string{"--color must be auto, always or never"}},
		{name: "check -n Bad_NS! is a usage error",
			files: map[string]string{"a.yaml": spec11},
			args:  []string{"check", "-f", "{dir}/a.yaml", "-n", "Bad_NS!"}, code: 2, stderr: []string{`-n "Bad_NS!" is not a namespace name`}},
		{name: "a patch zds check would reject is refused at spec.patches (a deregistration delay on the Service)",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: Service\n      patch: {metadata: {annotations: {alb.ingress.kubernetes.io/target-group-attributes: deregistration_delay.timeout_seconds=1}}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml", "-d", "{dir}/out"}, code: 1,
			stderr: []string{"a.yaml:13:7: spec.patches[0].patch", "changes the deregistration delay (D) from 45 to 1", "set spec.timing.deregistrationDelaySeconds instead"},
			check: func(t *testing.T, dir string) {
				if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
					t.Error("a refused render wrote its directory")
				}
			}},
		{name: "a patch publishing not-ready pods is refused with the rule zds check names",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: Service\n      patch: {spec: {publishNotReadyAddresses: true}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1,
			stderr: []string{"a.yaml:13:7: spec.patches[0].patch", "rule 6 (only Ready pods are targets) in Service/web spec.publishNotReadyAddresses"}},
		{name: "a patch making the ALB's Service a second load balancer is refused",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: Service\n      patch: {spec: {type: LoadBalancer}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1,
			stderr: []string{"a.yaml:13:7: spec.patches[0].patch", "rule 6 (one load balancer, with derived settings) in Service/web spec.type"}},
		{name: "a patch checking health over HTTPS an HTTP readiness probe is refused",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: Ingress\n      patch: {metadata: {annotations: {alb.ingress.kubernetes.io/healthcheck-protocol: HTTPS}}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1,
			stderr: []string{"a.yaml:13:7: spec.patches[0].patch", "rule 7 (health check = readiness probe)", "over HTTPS, the readiness probe over HTTP"}},
		{name: "a patch leaving the budget no eviction is refused (a warning of zds check's is a patch's doing)",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: PodDisruptionBudget\n      patch: {spec: {maxUnavailable: 0}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1,
			stderr: []string{"a.yaml:13:7: spec.patches[0].patch", "rule budget", "allows no eviction"}},
		{name: "a patch moving the Ingress to another class is refused: explain would describe an ALB that is not there",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: Ingress\n      patch: {spec: {ingressClassName: nginx}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1,
			stderr: []string{"a.yaml:13:7: spec.patches[0].patch", "changes the load balancer from Ingress/web class alb to Ingress/web class nginx", "set spec.loadBalancer instead"}},
		{name: "a patch of replicas is refused: explain would say 3",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: Deployment\n      patch: {spec: {replicas: 1}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1,
			stderr: []string{"a.yaml:13:7: spec.patches[0].patch", "changes replicas from 3 to 1", "set spec.replicas instead"}},
		{name: "a patch that breaks Pod Security restricted is refused with the library's reasons and the level the pods need",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: Deployment\n      patch: {spec: {template: {spec: {hostNetwork: true, volumes: [{name: d, hostPath: {path: /var/run}}], containers: [{name: app, securityContext: {privileged: true, runAsUser: 0}}]}}}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1,
			stderr: []string{"a.yaml:13:7: spec.patches[0].patch", `Pod Security "restricted" standard`, "host namespaces (hostNetwork=true)", "privileged (container", `restricted volume types (volume "d"`, "runAsUser=0", "set spec.pod.securityLevel: privileged"}},
		{name: "a spec asking for privileged pods gets them, in a namespace it creates enforcing privileged",
			files: map[string]string{"a.yaml": with("  createNamespace: true\n  pod: {securityLevel: privileged}\n") + "  patches:\n    - kind: Deployment\n      patch: {spec: {template: {spec: {hostNetwork: true}}}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 0,
			out: []string{"pod-security.kubernetes.io/enforce: privileged", "hostNetwork: true"}},
		{name: "a namespace created restricted refuses another document's privileged pods, said at the creator's level",
			files: map[string]string{"a.yaml": with("  createNamespace: true\n  pod: {}\n") + "---\n" + strings.Replace(with("  pod: {securityLevel: baseline}\n"), "name: web", "name: api", 1) + "  patches:\n    - kind: Deployment\n      patch: {spec: {template: {spec: {containers: [{name: app, securityContext: {capabilities: {drop: [], add: [CHOWN]}}}]}}}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1,
			stderr: []string{"a.yaml:11:8: spec.pod.securityLevel: namespace shop, created here, enforces Pod Security \"restricted\", which refuses the pods of shop/api", "set spec.pod.securityLevel: baseline here"}},
		{name: "check reads a linked directory as render does (one reader of inputs): a link to rendered manifests is checked, not 0 services",
			files: map[string]string{"d/a.yaml": golden(t, "testdata/render-basic.golden.yaml"), "link": "->d"},
			args:  []string{"check", "-f", "{dir}/link"}, code: 0,
			out: []string{"1 service: 0 errors"}},
		{name: "a patch with a container-name typo (the README's example) is refused, not rendered with an imageless container",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: Deployment\n      patch: {spec: {template: {spec: {containers: [{name: ap, imagePullPolicy: Always}]}}}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1,
			stderr: []string{"a.yaml:13:7: spec.patches[0].patch", `adds a container "ap" without an image`, "(app)"}},
		{name: "a patched progress deadline below minReadySeconds is refused",
			files: map[string]string{"a.yaml": with("  loadBalancer: {requireReadinessGate: false}\n  patches:\n    - kind: Deployment\n      patch: {spec: {progressDeadlineSeconds: 5}}\n")},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1, stderr: []string{"a.yaml:13:7: spec.patches[0].patch", "must be greater than spec.minReadySeconds", "the API server refuses"}},
		{name: "a patch giving preStop a second handler is refused",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: Deployment\n      patch: {spec: {template: {spec: {containers: [{name: app, lifecycle: {preStop: {exec: {command: [sleep, \"40\"]}}}}]}}}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1, stderr: []string{"a.yaml:13:7: spec.patches[0].patch", "lifecycle.preStop has 2 handlers", "the API server refuses"}},
		{name: "a patch adding a second port named http is refused",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: Deployment\n      patch: {spec: {template: {spec: {containers: [{name: app, ports: [{name: http, containerPort: 9090}]}]}}}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1, stderr: []string{"a.yaml:13:7: spec.patches[0].patch", "two ports are named \"http\"", "the API server refuses"}},
		{name: "emptyDir.sizeLimit abc is placed at its field, not at 1:1",
			files: map[string]string{"a.yaml": with("  volumes:\n    - name: cache\n      emptyDir: {sizeLimit: abc}\n")},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1, stderr: []string{"a.yaml:12:18: spec.volumes.0.emptyDir.sizeLimit", "not a Kubernetes quantity"}},
		{name: "an IP address as the host is refused as the API server refuses it",
			files: map[string]string{"a.yaml": with("  loadBalancer: {host: 10.0.0.1}\n")},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1, stderr: []string{"spec.loadBalancer.host", "must be a DNS name, not an IP address"}},
		{name: "a 247-character host is refused (ALB host conditions take 128)",
			files: map[string]string{"a.yaml": with("  loadBalancer: {host: " + strings.Repeat("a.", 123) + "b}\n")},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1, stderr: []string{"spec.loadBalancer.host", "128"}},
		{name: "a negative cpu request is refused",
			files: map[string]string{"a.yaml": with("  resources: {requests: {cpu: \"-1\"}}\n")},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1, stderr: []string{"spec.resources.requests.cpu", "must be greater than or equal to 0"}},
		{name: "a missing kind is said in zds's words, not the validator's",
			files: map[string]string{"a.yaml": strings.Replace(spec11, "kind: ZeroDowntimeService\n", "", 1)},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1, stderr: []string{`Required value: "kind" is missing: add kind: ZeroDowntimeService`}, notStderr: []string{"missing property"}},
		{name: "a patch list item without its merge key is said in zds's words",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: Deployment\n      patch: {spec: {template: {spec: {containers: [{image: x}]}}}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1, stderr: []string{`an item of a list in the patch has no "name"`}, notStderr: []string{"declared merge key"}},
		{name: "a patch with a mapping where a list goes is said in zds's words",
			files: map[string]string{"a.yaml": spec11 + "  patches:\n    - kind: Deployment\n      patch: {spec: {template: {spec: {containers: {name: app}}}}}\n"},
			args:  []string{"render", "-f", "{dir}/a.yaml"}, code: 1, stderr: []string{"spec.template.spec.containers must be a list, not a mapping"}, notStderr: []string{"[]v1.Container"}},
		{name: "a FIFO named *.yaml in a directory is skipped by render and check, never read",
			files: map[string]string{"specs/a.yaml": spec11},
			args:  []string{"version"}, code: 0,
			check: func(t *testing.T, dir string) {
				if err := unix.Mkfifo(filepath.Join(dir, "specs", "b.yaml"), 0o644); err != nil {
					t.Fatal(err)
				}
				done := make(chan struct{})
				go func() {
					defer close(done)
					mustRunQuiet(t, "render", "-f", filepath.Join(dir, "specs"))
					_, _, _ = zds(t, "check", "-f", filepath.Join(dir, "specs"))
				}()
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					t.Fatal("render or check blocked on a FIFO")
				}
			}},
		{name: "check -f /dev/zero ends with an error, not out of memory",
			args: []string{"check", "-f", "/dev/zero"}, code: 1, stderr: []string{"/dev/zero", "larger than 64 MB"}},
	}
	runCLIRows(t, rows)
}

// mustRunQuiet runs the CLI and requires success, whatever it prints.
func mustRunQuiet(t *testing.T, args ...string) {
	t.Helper()
	if code, _, stderr := zds(t, args...); code != 0 {
		t.Fatalf("zds %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
}

// golden is a file of testdata, as a string.
func golden(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
