// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package node_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/zerodowntime/zds/tests/controlplane"
	"github.com/zerodowntime/zds/tests/traffic/node"
)

func TestMain(m *testing.M) { node.Main(m) }

// appDir is the HTTP server the pods run: the traffic tests' app.
func appDir(*testing.T) string { return "../testapp" }

func TestRealNode(t *testing.T) {
	testStart := time.Now()
	c := node.StartCluster(t, node.Options{})
	cs, n := c.Client, c.Node
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	checkIsolation(t)

	start := time.Now()
	const image = "zds.local/httpserver:test"
	if err := n.BuildImage(ctx, appDir(t), image); err != nil {
		t.Fatal(err)
	}
	t.Logf("image built and imported in %s", time.Since(start).Round(100*time.Millisecond))

	labels := map[string]string{"app": "web"}
	spec := corev1.PodSpec{
		TerminationGracePeriodSeconds: ptr.To[int64](30),
		Containers: []corev1.Container{{
			Name:            "web",
			Image:           image,
			ImagePullPolicy: corev1.PullNever,
			Env: []corev1.EnvVar{
				{Name: "PORT", Value: "8080"},
				{Name: "SHUTDOWN_MODE", Value: "exit"},
			},
			Ports: []corev1.ContainerPort{{ContainerPort: 8080}},
			ReadinessProbe: &corev1.Probe{
				ProbeHandler:     corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}},
				PeriodSeconds:    1,
				FailureThreshold: 1,
			},
			Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 3}}},
		}},
	}
	n.Pin(&spec)
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
		},
	}
	start = time.Now()
	if _, err := cs.AppsV1().Deployments("default").Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var pods []corev1.Pod
	_, podNet, _ := net.ParseCIDR(node.PodCIDR)
	err := controlplane.Poll(ctx, 90*time.Second, func() (bool, error) {
		if err := n.Alive(); err != nil {
			return false, err
		}
		list, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return false, nil
		}
		pods = pods[:0]
		for _, p := range list.Items {
			if p.DeletionTimestamp == nil && ready(&p) && p.Status.PodIP != "" {
				pods = append(pods, p)
			}
		}
		return len(pods) == 2, nil
	})
	if err != nil {
		list, _ := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
		for _, p := range list.Items {
			t.Logf("pod %s on %q: %s %+v %+v", p.Name, p.Spec.NodeName, p.Status.Phase, p.Status.Conditions, p.Status.ContainerStatuses)
		}
		if nd, err := cs.CoreV1().Nodes().Get(ctx, n.Name, metav1.GetOptions{}); err == nil {
			t.Logf("node %s: taints %+v, labels %v, allocatable %v", nd.Name, nd.Spec.Taints, nd.Labels, nd.Status.Allocatable)
		}
		t.Fatalf("two Ready pods: %v", err)
	}
	t.Logf("2 pods Ready in %s", time.Since(start).Round(100*time.Millisecond))

	client := &http.Client{Timeout: 3 * time.Second}
	for _, p := range pods {
		if p.Spec.NodeName != n.Name {
			t.Errorf("pod %s runs on %s, not on the real node %s", p.Name, p.Spec.NodeName, n.Name)
		}
		if ip := net.ParseIP(p.Status.PodIP); ip == nil || !podNet.Contains(ip) {
			t.Errorf("pod %s has IP %s, outside the bridge's %s", p.Name, p.Status.PodIP, node.PodCIDR)
		}
		resp, err := client.Get("http://" + net.JoinHostPort(p.Status.PodIP, "8080") + "/")
		if err != nil {
			t.Fatalf("GET pod %s: %v", p.Name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET pod %s (%s): %d %s", p.Name, p.Status.PodIP, resp.StatusCode, body)
		}
		t.Logf("GET http://%s:8080/ -> %d %s", p.Status.PodIP, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	checkIsolation(t)
	checkPodNetworks(t, n, len(pods))

	// Deleting a pod waits for its preStop sleep (3 s) before SIGTERM.
	victim := pods[0].Name
	start = time.Now()
	if err := cs.CoreV1().Pods("default").Delete(ctx, victim, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := controlplane.Poll(ctx, 60*time.Second, func() (bool, error) {
		_, err := cs.CoreV1().Pods("default").Get(ctx, victim, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	}); err != nil {
		t.Fatalf("pod %s never went away: %v", victim, err)
	}
	took := time.Since(start)
	t.Logf("pod %s deleted in %s (preStop sleep 3 s)", victim, took.Round(10*time.Millisecond))
	if took < 3*time.Second {
		t.Errorf("pod deletion took %s, less than its preStop sleep of 3 s", took)
	}

	// Tear down: the Deployment and its pods, then the node, whose Stop
	// fails the test (via StartCluster's cleanup) if anything is left.
	if err := cs.AppsV1().Deployments("default").Delete(ctx, "web", metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationForeground)}); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if err := n.Stop(); err != nil {
		t.Fatalf("stopping the node: %v", err)
	}
	t.Logf("node stopped in %s", time.Since(start).Round(100*time.Millisecond))
	if shims := processesNamed("containerd-shim"); len(shims) > 0 {
		t.Errorf("containerd shims left: %s", strings.Join(shims, "; "))
	}
	if left := n.Leftovers(); len(left) > 0 {
		t.Errorf("left behind: %s", strings.Join(left, "; "))
	}
	if _, err := os.Stat(n.Dir); err == nil && os.Getenv("ZDS_KEEP_NODE_DIR") == "" {
		t.Errorf("%s is still there", n.Dir)
	}
	t.Logf("test body done in %s", time.Since(testStart).Round(100*time.Millisecond))
}

func ready(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// checkIsolation asserts the sandbox's network: addresses only on loopback
// and the pod bridge, routes only to loopback and the pods' subnet.
func checkIsolation(t *testing.T) {
	t.Helper()
	sb, err := node.Current()
	if err != nil {
		t.Fatal(err)
	}
	_, podNet, _ := net.ParseCIDR(node.PodCIDR)
	_, loopNet, _ := net.ParseCIDR("127.0.0.0/8")
	ifaces, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, ifc := range ifaces {
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			ip, _, _ := net.ParseCIDR(a.String())
			if !(ifc.Name == "lo" && loopNet.Contains(ip)) && !(ifc.Name == node.Bridge && podNet.Contains(ip)) {
				t.Errorf("netns %s: unexpected address %s on %s", sb.Netns, a, ifc.Name)
			}
		}
	}
	checkRoutes(t, "netns "+sb.Netns, nil)
}

// checkPodNetworks asserts the same of every pod's network namespace
// (pinned by containerd under the node's directory): routes only to
// loopback and the pods' subnet, no default route.
func checkPodNetworks(t *testing.T, n *node.Node, want int) {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		for i, x := range f {
			if x == "-" && i+1 < len(f) && f[i+1] == "nsfs" && strings.HasPrefix(f[4], n.Dir+"/") && strings.Contains(f[4], "/netns/") {
				seen[f[4]] = true
			}
		}
	}
	if len(seen) < want {
		t.Errorf("found %d pod network namespaces under %s, want at least %d", len(seen), n.Dir, want)
	}
	for path := range seen {
		checkRoutes(t, "pod netns "+filepath.Base(path), []string{"nsenter", "--net=" + path})
	}
}

// checkRoutes fails the test for any route, in any table, to somewhere
// other than loopback or the pods' subnet; prefix runs ip elsewhere.
func checkRoutes(t *testing.T, where string, prefix []string) {
	t.Helper()
	_, podNet, _ := net.ParseCIDR(node.PodCIDR)
	_, loopNet, _ := net.ParseCIDR("127.0.0.0/8")
	for _, family := range []string{"-4", "-6"} {
		args := append(append([]string{}, prefix...), "ip", family, "-o", "route", "show", "table", "all")
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("ip route: %v: %s", err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if line == "" {
				continue
			}
			f := strings.Fields(line)
			dst := f[0]
			if dst == "local" || dst == "broadcast" || dst == "unreachable" || dst == "prohibit" {
				dst = f[1]
			}
			if !strings.Contains(dst, "/") {
				dst += "/32"
			}
			ip, _, err := net.ParseCIDR(dst)
			if err != nil || !(loopNet.Contains(ip) || podNet.Contains(ip)) {
				t.Errorf("%s: route outside loopback and %s: %s", where, node.PodCIDR, line)
			}
		}
	}
}

// processesNamed lists the processes (of the sandbox's PID namespace) whose
// command name starts with prefix.
func processesNamed(prefix string) []string {
	var found []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		comm, err := os.ReadFile(filepath.Join(d, "comm"))
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(comm)), prefix) {
			found = append(found, fmt.Sprintf("%s %s", filepath.Base(d), strings.TrimSpace(string(comm))))
		}
	}
	return found
}
