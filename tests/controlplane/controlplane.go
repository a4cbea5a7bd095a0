// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package controlplane runs a real, local Kubernetes control plane for
// tests: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
// kwok (fake nodes whose pods become Running and Ready), all built from the
// Go module proxy by build.sh and started on loopback addresses only.
//
// Tests that need it call Start; in CI (CI=true) a control plane that cannot
// start fails the tests, elsewhere they are skipped with the command that
// enables them (make controlplane).
package controlplane

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// KubernetesVersion is the version the binaries are built at (build.sh).
const KubernetesVersion = "v1.34.2"

// FakeNodeAnnotation marks the nodes kwok manages.
const FakeNodeAnnotation = "kwok.x-k8s.io/node"

// ReadyDelayAnnotation on a pod makes kwok mark it Ready only after this
// duration (e.g. "10s"), standing in for start-up and load-balancer
// registration. Without it pods are Ready at once.
const ReadyDelayAnnotation = "pod-ready.stage.kwok.x-k8s.io/delay"

// ControlPlane is a running control plane.
type ControlPlane struct {
	// Config reaches the API server as a system:masters user.
	Config *rest.Config
	// Kubeconfig is the path of a kubeconfig file for the same user.
	Kubeconfig string
	// Nodes are the fake nodes, Ready and schedulable.
	Nodes []string

	dir   string
	procs []*process
}

type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// CacheDir returns the cache directory of the pinned build (build.sh --dir):
// binaries in bin/, kwok's stages in kwok-stages.yaml.
func CacheDir() (string, error) {
	out, err := exec.Command("bash", filepath.Join(sourceDir(), "build.sh"), "--dir").Output()
	if err != nil {
		return "", fmt.Errorf("build.sh --dir: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func sourceDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Options tune Start.
type Options struct {
	// Nodes is the number of fake nodes (default 2).
	Nodes int
	// GatesFromController leaves pods' readiness gates to a stand-in for
	// the AWS Load Balancer Controller (package fakelbc), as a kubelet
	// leaves them to the controller: kwok no longer sets their conditions,
	// and a pod with readiness gates is not Ready until they are True.
	// Without it, kwok sets every gate True with the pod's Ready.
	GatesFromController bool
}

// Start builds nothing: it starts the cached binaries (see CacheDir) and
// returns when the API server is ready, the controllers and the scheduler
// run, and the fake nodes are Ready. Stop must be called (also on failure:
// Start stops what it started before returning an error).
func Start(ctx context.Context, opts Options) (cp *ControlPlane, err error) {
	if opts.Nodes == 0 {
		opts.Nodes = 2
	}
	cache, err := CacheDir()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(cache, ".complete")); err != nil {
		return nil, fmt.Errorf("no control plane binaries in %s: run `make controlplane` (builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok from the Go module proxy, ~6 min once)", cache)
	}
	bin := filepath.Join(cache, "bin")
	dir, err := os.MkdirTemp("", "zds-controlplane-")
	if err != nil {
		return nil, err
	}
	cp = &ControlPlane{dir: dir}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, cp.logTails())
			cp.Stop()
			cp = nil
		}
	}()

	ports, err := freePorts(3)
	if err != nil {
		return cp, err
	}
	etcdClient, etcdPeer, apiPort := ports[0], ports[1], ports[2]

	// etcd.
	if err := cp.spawn(filepath.Join(bin, "etcd"), "etcd",
		"--name=default",
		"--data-dir="+filepath.Join(dir, "etcd"),
		fmt.Sprintf("--listen-client-urls=http://127.0.0.1:%d", etcdClient),
		fmt.Sprintf("--advertise-client-urls=http://127.0.0.1:%d", etcdClient),
		fmt.Sprintf("--listen-peer-urls=http://127.0.0.1:%d", etcdPeer),
		fmt.Sprintf("--initial-advertise-peer-urls=http://127.0.0.1:%d", etcdPeer),
		fmt.Sprintf("--initial-cluster=default=http://127.0.0.1:%d", etcdPeer),
		"--unsafe-no-fsync", "--log-level=warn",
	); err != nil {
		return cp, err
	}

	// Credentials: a service-account key pair and one system:masters token.
	saKey, saPub, err := writeKeyPair(dir)
	if err != nil {
		return cp, err
	}
	token, err := randomToken()
	if err != nil {
		return cp, err
	}
	tokens := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(token+",zds-admin,zds-admin,system:masters\n"), 0o600); err != nil {
		return cp, err
	}
	server := fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	cp.Config = &rest.Config{
		Host:            server,
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true},
		QPS:             200,
		Burst:           400,
	}
	cp.Kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(cp.Kubeconfig, []byte(kubeconfig(server, token)), 0o600); err != nil {
		return cp, err
	}

	if err := cp.spawn(filepath.Join(bin, "kube-apiserver"), "kube-apiserver",
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", etcdClient),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiPort),
		"--cert-dir="+filepath.Join(dir, "certs"),
		"--service-account-key-file="+saPub,
		"--service-account-signing-key-file="+saKey,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--token-auth-file="+tokens,
		"--authorization-mode=RBAC",
		"--endpoint-reconciler-type=none",
		"--service-cluster-ip-range=10.96.0.0/16",
		"--allow-privileged=false",
		// MutatingAdmissionPolicy (beta, off by default in 1.34) lets a test
		// stand in for the AWS Load Balancer Controller's pod webhook,
		// which injects readiness gates, without a webhook server.
		"--feature-gates=MutatingAdmissionPolicy=true",
		"--runtime-config=admissionregistration.k8s.io/v1beta1=true",
	); err != nil {
		return cp, err
	}
	if err := cp.waitReady(ctx, server, token); err != nil {
		return cp, err
	}

	if err := cp.spawn(filepath.Join(bin, "kube-controller-manager"), "kube-controller-manager",
		"--kubeconfig="+cp.Kubeconfig,
		"--controllers=*,-nodeipam,-nodelifecycle,-serviceaccount-token",
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=0",
		"--service-account-private-key-file="+saKey,
	); err != nil {
		return cp, err
	}
	if err := cp.spawn(filepath.Join(bin, "kube-scheduler"), "kube-scheduler",
		"--kubeconfig="+cp.Kubeconfig,
		"--authentication-kubeconfig="+cp.Kubeconfig,
		"--authorization-kubeconfig="+cp.Kubeconfig,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=0",
	); err != nil {
		return cp, err
	}
	stages, err := writeStages(filepath.Join(cache, "kwok-stages.yaml"), dir, opts.GatesFromController)
	if err != nil {
		return cp, err
	}
	if err := cp.spawn(filepath.Join(bin, "kwok"), "kwok",
		"--kubeconfig="+cp.Kubeconfig,
		"--config="+stages,
		"--manage-nodes-with-annotation-selector="+FakeNodeAnnotation+"=fake",
		"--cidr=10.0.0.0/16",
		"--node-ip=127.0.0.1",
		"--server-address=127.0.0.1:0",
	); err != nil {
		return cp, err
	}

	cs, err := kubernetes.NewForConfig(cp.Config)
	if err != nil {
		return cp, err
	}
	for i := range opts.Nodes {
		name := fmt.Sprintf("kwok-node-%d", i)
		if err := createNode(ctx, cs, name); err != nil {
			return cp, err
		}
		cp.Nodes = append(cp.Nodes, name)
	}
	if err := cp.waitNodes(ctx, cs); err != nil {
		return cp, err
	}
	// Pods need the namespace's default service account, made by the
	// service-account controller.
	if err := Poll(ctx, 60*time.Second, func() (bool, error) {
		_, err := cs.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	}); err != nil {
		return cp, fmt.Errorf("the service-account controller never created default/default: %w", err)
	}
	return cp, nil
}

// The pod-ready stage's readiness-gate conditions, and what replaces them
// when a controller sets them (Ready stays False while a gate is unset).
const (
	kwokGateConditions = `      {{ range .spec.readinessGates }}
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: {{ .conditionType | Quote }}
      {{ end }}
`
	kwokReady = "        status: \"True\"\n        type: Ready\n"
	// As the kubelet says it while a gate's condition is missing.
	gatedReady = `        status: {{ if .spec.readinessGates }}"False"{{ else }}"True"{{ end }}
        type: Ready
        {{ with .spec.readinessGates }}
        reason: ReadinessGatesNotReady
        message: {{ printf "corresponding condition of pod readiness gate %q does not exist." (index . 0).conditionType | Quote }}
        {{ end }}
`
)

// writeStages copies kwok's stages, giving the pod-ready stage a delay read
// from ReadyDelayAnnotation and, with gatesFromController, leaving
// readiness gates unset and such pods not Ready.
func writeStages(src, dir string, gatesFromController bool) (string, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	docs := strings.Split(string(data), "\n---\n")
	found := false
	for i, d := range docs {
		if strings.Contains(d, "\n  name: pod-ready\n") {
			docs[i] = strings.Replace(d, "\nspec:\n", "\nspec:\n  delay:\n    durationMilliseconds: 0\n    durationFrom:\n      expressionFrom: '.metadata.annotations[\""+ReadyDelayAnnotation+"\"]'\n", 1)
			found = docs[i] != d
			if gatesFromController {
				if !strings.Contains(d, kwokGateConditions) || !strings.Contains(d, kwokReady) {
					return "", fmt.Errorf("%s: the pod-ready stage does not set readiness gates as expected", src)
				}
				docs[i] = strings.Replace(docs[i], kwokGateConditions, "", 1)
				docs[i] = strings.Replace(docs[i], kwokReady, gatedReady, 1)
			}
		}
	}
	if !found {
		return "", fmt.Errorf("%s: no pod-ready stage to delay", src)
	}
	out := filepath.Join(dir, "kwok-stages.yaml")
	return out, os.WriteFile(out, []byte(strings.Join(docs, "\n---\n")), 0o644)
}

func kubeconfig(server, token string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: zds
  cluster:
    server: %s
    insecure-skip-tls-verify: true
users:
- name: zds-admin
  user:
    token: %s
contexts:
- name: zds
  context: {cluster: zds, user: zds-admin}
current-context: zds
`, server, token)
}

func (cp *ControlPlane) spawn(bin, name string, args ...string) error {
	logPath := filepath.Join(cp.dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Own process group (stopped as a whole) and killed if the test
	// binary dies without cleaning up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	cp.procs = append(cp.procs, p)
	return nil
}

// Stop stops every process started, newest first, and removes the data.
func (cp *ControlPlane) Stop() {
	if cp == nil {
		return
	}
	var wg sync.WaitGroup
	for i := len(cp.procs) - 1; i >= 0; i-- {
		p := cp.procs[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(10 * time.Second):
				_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
				<-p.done
			}
		}()
	}
	wg.Wait()
	cp.procs = nil
	if os.Getenv("ZDS_KEEP_CONTROLPLANE_DIR") == "" {
		os.RemoveAll(cp.dir)
	}
}

// Alive reports an error if a process exited early.
func (cp *ControlPlane) Alive() error {
	for _, p := range cp.procs {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited: %v", p.name, p.err)
		default:
		}
	}
	return nil
}

func (cp *ControlPlane) logTails() string {
	var b strings.Builder
	for _, p := range cp.procs {
		data, _ := os.ReadFile(p.log)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) > 15 {
			lines = lines[len(lines)-15:]
		}
		fmt.Fprintf(&b, "--- last lines of %s ---\n%s\n", p.name, strings.Join(lines, "\n"))
	}
	return b.String()
}

func (cp *ControlPlane) waitReady(ctx context.Context, server, token string) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: insecureTLS(),
	}}
	return Poll(ctx, 90*time.Second, func() (bool, error) {
		if err := cp.Alive(); err != nil {
			return false, err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
}

func createNode(ctx context.Context, cs kubernetes.Interface, name string) error {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{FakeNodeAnnotation: "fake"},
			Labels: map[string]string{
				"kubernetes.io/hostname":        name,
				"kubernetes.io/os":              "linux",
				"kubernetes.io/arch":            "amd64",
				"type":                          "kwok",
				"topology.kubernetes.io/zone":   "zone-" + name[len(name)-1:],
				"topology.kubernetes.io/region": "local",
			},
		},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{},
		},
	}
	_, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating node %s: %w", name, err)
	}
	return nil
}

// waitNodes waits until every fake node is Ready and carries no taint (the
// node-lifecycle controller that would lift not-ready taints is off).
func (cp *ControlPlane) waitNodes(ctx context.Context, cs kubernetes.Interface) error {
	return Poll(ctx, 60*time.Second, func() (bool, error) {
		if err := cp.Alive(); err != nil {
			return false, err
		}
		for _, name := range cp.Nodes {
			n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			if len(n.Spec.Taints) > 0 {
				n.Spec.Taints = nil
				if _, err := cs.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
					return false, err
				}
				return false, nil
			}
			ready := false
			for _, c := range n.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
					ready = true
				}
			}
			if !ready {
				return false, nil
			}
		}
		return true, nil
	})
}

// Poll calls f every 250 ms until it reports done, fails, or timeout passes.
func Poll(ctx context.Context, timeout time.Duration, f func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := f()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func writeKeyPair(dir string) (keyPath, pubPath string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", err
	}
	keyPath, pubPath = filepath.Join(dir, "sa.key"), filepath.Join(dir, "sa.pub")
	var kb, pb bytes.Buffer
	_ = pem.Encode(&kb, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	_ = pem.Encode(&pb, &pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	if err := os.WriteFile(keyPath, kb.Bytes(), 0o600); err != nil {
		return "", "", err
	}
	return keyPath, pubPath, os.WriteFile(pubPath, pb.Bytes(), 0o600)
}

func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func insecureTLS() *tls.Config {
	return &tls.Config{InsecureSkipVerify: true} //nolint:gosec // a throwaway local API server with a self-signed certificate
}
