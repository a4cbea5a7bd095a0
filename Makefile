# zds: every target works on a fresh machine with Go and the module proxy.
GO      ?= go
PKGS    := ./...
# Fuzz budgets are counts of executions, not durations: a duration races Go's
# fuzzing coordinator at its deadline and fails with a bare "context deadline
# exceeded" and no failing input (golang/go#51484, #75804; it failed CI once on
# FuzzDerive). A count has no deadline to race. FUZZX scales all three (about
# 10 s each on 2 cores at 1); minimization is bounded by count too.
FUZZX ?= 1
FUZZMIN := -fuzzminimizetime 100x

TRAFFIC := tests/traffic
# Every package of the main module but the real-control-plane and real-engine tests.
FAST = $(shell $(GO) list ./... | grep -v -e '/tests/e2e$$' -e '/tests/engine$$')
# Long steps print a line at least every 30 s, so a CI log never goes quiet.
PROGRESS := bash $(CURDIR)/tests/progress.sh

.PHONY: cross sdk-check all build run install test quick unit lint-manifests fuzz e2e builds engine engine-test controlplane node deps traffic traffic-test lint generate check-generated golden bench bench-peers bench-check clean

all: lint test

## build: compile every package and example
build:
	$(GO) build $(PKGS)

## run: render the basic example's manifests, with its timing chain (no cluster needed)
run:
	$(GO) run ./cmd/zds render -f examples/basic/service.zds.yaml

## install: install the zds CLI
install:
	$(GO) install ./cmd/zds

## test: lint, every test (unit, wiring, golden, real control plane, real Pulumi engine, real node and traffic) and short fuzzes of the timing rules and of spec files through render
test: lint cross lint-manifests sdk-check deps builds node unit e2e engine-test traffic-test fuzz

## quick: the inner loop: vet, then every test that needs no real cluster, node or traffic (cached results reused)
quick:
	$(GO) vet $(PKGS)
	$(GO) test $(FAST)

## unit: every test of the main module except the real-control-plane and real-engine ones
unit:
	$(PROGRESS) $(GO) test -count=1 -timeout 40m $(FAST)

## e2e: only the tests against the real control plane (tests/e2e), each named as it runs
e2e: controlplane
	$(PROGRESS) $(GO) test -count=1 -timeout 40m -v ./tests/e2e/

## engine-test: `pulumi up` for real: the component and its provider under the real Pulumi engine and Kubernetes provider, against the real control plane (tests/engine), each test named as it runs
engine-test: controlplane engine
	$(PROGRESS) $(GO) test -count=1 -timeout 30m -parallel 4 -v ./tests/engine/

## builds: the control plane and the Pulumi engine side by side (a fresh machine's slowest step; each is skipped when cached)
builds:
	@$(PROGRESS) bash -c 'bash tests/controlplane/build.sh >/dev/null & cp=$$!; bash tests/engine/build.sh >/dev/null; e=$$?; wait $$cp; c=$$?; exit $$((e || c))'

## engine: build the Pulumi CLI, the Kubernetes provider plugin and the YAML language host
## from the Go module proxy into ~/.cache/zds (skipped when the cached build matches the pins)
engine:
	@$(PROGRESS) bash tests/engine/build.sh >/dev/null

## controlplane: build etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
## from the Go module proxy into ~/.cache/zds (skipped when the cached build matches the pins)
controlplane:
	@$(PROGRESS) bash tests/controlplane/build.sh >/dev/null

## deps: Debian packages the real-node and traffic tests need (containerd, runc, CNI plugins, iptables, iproute2, HAProxy; needs root)
deps:
	@bash $(TRAFFIC)/node/install-deps.sh
	@bash $(TRAFFIC)/install-deps.sh >/dev/null

## node: build the kubelet and the pause binary from the Go module proxy into ~/.cache/zds (skipped when cached)
node: controlplane
	@$(PROGRESS) bash $(TRAFFIC)/node/build.sh >/dev/null

## traffic-test: the traffic harness (its own Go module): test app, HAProxy, load, ALB emulation, real node, rollout scenarios (one of them a real `pulumi up`)
traffic-test: engine
	cd $(TRAFFIC) && $(GO) vet ./... && $(PROGRESS) $(GO) test -p 1 -count=1 -timeout 40m -v ./...

## traffic: every event × configuration under load, on the real node; rewrites docs/traffic.md (~40 min)
traffic: deps controlplane node engine
	cd $(TRAFFIC) && ZDS_TRAFFIC_REPORT=$(CURDIR)/docs/traffic.md ZDS_TRAFFIC_COMMIT="$$(git describe --always --dirty 2>/dev/null)" $(GO) test -count=1 -timeout 150m -run '^TestReport$$' -v ./scenario/

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDerive$$' -fuzztime $$((150000 * $(FUZZX)))x $(FUZZMIN) ./components/timing/
	$(GO) test -run '^$$' -fuzz '^FuzzLoadRender$$' -fuzztime $$((20000 * $(FUZZX)))x $(FUZZMIN) ./components/render/
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $$((20000 * $(FUZZX)))x $(FUZZMIN) ./components/audit/

## lint: go vet, a gofmt check, the licence header on every Go file (in its first lines: generated files open with build tags; but the SDKs Pulumi's codegen writes under sdk/), and no committed binary
lint:
	$(GO) vet $(PKGS)
	@bash tests/lint/no-binaries.sh
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	@unlicensed="$$(for f in $$(git ls-files '*.go' ':!:sdk/'); do head -5 "$$f" | grep -q '^// SPDX-License-Identifier: Apache-2.0$$' || echo "$$f"; done)"; \
	if [ -n "$$unlicensed" ]; then echo "no Apache-2.0 licence header (see any .go file):"; echo "$$unlicensed"; exit 1; fi

## cross: the CLI and the provider plugin build for macOS and Windows (make test; the README offers go install on macOS); CROSS=all: linux, darwin and windows on amd64 and arm64
# An OS, not an architecture, is what breaks a pure-Go build (a unix-only
# call: #21 found unix.Renameat2 in render); each platform costs ~3 min
# cold on 2 cores, seconds warm, so make test builds one per OS.
CROSS ?= darwin/arm64 windows/amd64
CROSS_ALL := linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
cross:
	@for p in $(if $(filter all,$(CROSS)),$(CROSS_ALL),$(CROSS)); do echo "cross: $$p"; GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/zds ./cmd/pulumi-resource-zds || exit 1; done

## sdk-check: type-check the generated TypeScript SDK and the TypeScript example with tsc (npm packages pinned in tests/sdk), byte-compile the Python SDK and example, build the provider plugin
sdk-check:
	@bash tests/sdk/check.sh

## lint-manifests: kube-score (installed from the module proxy when missing) on every example's rendered manifests; fails on a finding docs/kube-score.md does not list
lint-manifests:
	@$(PROGRESS) bash tests/lint/kube-score.sh

## generate: rewrite every generated file
generate:
	$(GO) generate $(PKGS)

## check-generated: fail if generated files are stale
check-generated: generate
	@git diff --exit-code --stat || { echo "generated files are stale: run make generate and commit"; exit 1; }

## golden: rewrite golden files after an intended change (review the diff)
golden:
	$(GO) test ./examples/... ./components/... -update

## bench: render time and memory for 100 and 1,000 services, the component's cost as a ratio to raw registrations, and the pure core
bench:
	$(GO) test -run '^$$' -bench . -benchtime 20x ./components/...

## bench-peers: zds render against cdk8s-plus (installed from npm when missing), 100 and 1,000 services, in one run; rewrites docs/performance.md
bench-peers:
	$(GO) run ./bench/peers -write docs/performance.md

## bench-check: zds check against kube-score (installed from the module proxy when missing) on the same 100 and 1,000 services' manifests, in one run; rewrites docs/check-performance.md
bench-check:
	$(GO) run ./bench/check -write docs/check-performance.md

clean:
	$(GO) clean -testcache
