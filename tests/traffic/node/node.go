// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package node gives tests a real Kubernetes node: a kubelet joined to the
// control plane of tests/controlplane, running real pods through containerd,
// runc and CNI bridge networking, with images built from Go packages on the
// spot (no registry).
//
// Everything runs inside a sandbox made by Main (a network, mount and PID
// namespace of the test run's own): pod addresses exist only on a bridge in
// that network namespace, which has nothing else but loopback. A test
// package uses it as
//
//	func TestMain(m *testing.M) { node.Main(m) }
//
//	func TestX(t *testing.T) {
//		c := node.StartCluster(t) // control plane + node, stopped by t.Cleanup
//		...
//	}
//
// Needs root, the Debian packages of install-deps.sh, the kubelet of build.sh
// and the control plane of tests/controlplane/build.sh. In CI (CI set) a
// missing piece fails the test with the command that provides it; elsewhere
// the test is skipped with that command.
//
// Pods land on the real node only if they ask to (Node.Pin): it carries the
// label Label and the NoSchedule taint Taint, so pods written for kwok's
// fake nodes keep going there.
//
// Settings found necessary here, beyond a plain kubelet + containerd:
//   - the pod bridge exists before the kubelet starts, holding Gateway, so
//     the node has an InternalIP that is not loopback (the kubelet refuses
//     127.0.0.1 as node IP); the kubelet serves on it, so the API server's
//     logs/exec reach it;
//   - cgroupsPerQOS with cgroupRoot /<netns name>: without it containerd
//     puts every container under the shared /k8s.io cgroup;
//   - the not-ready taint added by the API server's TaintNodesByCondition
//     admission is removed by Start (the node-lifecycle controller is off);
//   - containerd: restrict_oom_score_adj (no CAP_SYS_RESOURCE here),
//     netns_mounts_under_state_dir, its own root, state and socket;
//   - CNI: bridge + host-local (ipMasq off, no default route in pods) +
//     tuning turning IPv6 off in pods, so no link-local routes exist.
package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/zerodowntime/zds/tests/controlplane"
)

const (
	// PodCIDR is the pods' subnet, on Bridge.
	PodCIDR = "10.244.0.0/24"
	// Gateway is the bridge's address, also the node's InternalIP and the
	// address the kubelet serves on.
	Gateway = "10.244.0.1"
	// Bridge is the pods' bridge, made by Start inside the sandbox.
	Bridge = "zds0"

	// Label ("true") is on the real node: select it with a nodeSelector.
	Label = "zds.dev/real-node"
	// Taint (NoSchedule) keeps pods that do not tolerate it off the real
	// node, so tests written for kwok's fake nodes keep landing there.
	Taint = "zds.dev/real-node"

	// PauseImage is the pod sandbox image, imported by Start.
	PauseImage = "zds.local/pause:latest"

	// KubeletPort is the kubelet's HTTPS port, on Gateway.
	KubeletPort = 10250

	// ctrNamespace is containerd's namespace for CRI (Kubernetes) objects.
	ctrNamespace = "k8s.io"
)

// Options tune Start.
type Options struct {
	// ControlPlane the node joins (required).
	ControlPlane *controlplane.ControlPlane
	// Name of the node (default "zds-node").
	Name string
}

// Node is a running kubelet with its containerd.
type Node struct {
	// Name of the Node object.
	Name string
	// Dir holds the node's configuration, state and logs (removed by Stop
	// unless ZDS_KEEP_NODE_DIR is set).
	Dir string
	// ContainerdAddress is containerd's socket (for ctr --address).
	ContainerdAddress string

	cs      kubernetes.Interface
	bin     string
	cgroup  string
	procs   []*process
	stopped bool
}

type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// CacheDir returns the cache directory of the pinned build (build.sh
// --dir): binaries in bin/.
func CacheDir() (string, error) {
	out, err := exec.Command("bash", filepath.Join(sourceDir(), "build.sh"), "--dir").Output()
	if err != nil {
		return "", fmt.Errorf("tests/traffic/node/build.sh --dir: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func sourceDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Missing lists what a node needs here and lacks, each with the command
// that provides it; nil when a node can start.
func Missing() []string {
	var missing []string
	if _, err := Current(); err != nil {
		missing = append(missing, err.Error())
	}
	var pkgs []string
	for _, b := range []string{"containerd", "containerd-shim-runc-v2", "ctr", "runc", "iptables", "ip"} {
		if _, err := exec.LookPath(b); err != nil {
			pkgs = append(pkgs, b)
		}
	}
	for _, p := range []string{"bridge", "host-local", "loopback", "tuning"} {
		if _, err := os.Stat(filepath.Join(cniBinDir, p)); err != nil {
			pkgs = append(pkgs, filepath.Join(cniBinDir, p))
		}
	}
	if len(pkgs) > 0 {
		missing = append(missing, fmt.Sprintf("missing %s: run `sudo bash tests/traffic/node/install-deps.sh`", strings.Join(pkgs, ", ")))
	}
	if dir, err := CacheDir(); err != nil {
		missing = append(missing, err.Error())
	} else if _, err := os.Stat(filepath.Join(dir, ".complete")); err != nil {
		missing = append(missing, fmt.Sprintf("no kubelet in %s: run `bash tests/traffic/node/build.sh` (builds the kubelet from the Go module proxy, ~2 min once after the control plane)", dir))
	}
	if dir, err := controlplane.CacheDir(); err != nil {
		missing = append(missing, err.Error())
	} else if _, err := os.Stat(filepath.Join(dir, ".complete")); err != nil {
		missing = append(missing, fmt.Sprintf("no control plane in %s: run `make controlplane`", dir))
	}
	return missing
}

const cniBinDir = "/usr/lib/cni"

// Start starts containerd and a kubelet inside the sandbox (see Main) and
// returns when the node is Ready. Stop must be called (also on failure:
// Start stops what it started before returning an error). One node at a
// time per test binary.
func Start(ctx context.Context, opts Options) (n *Node, err error) {
	sb, err := Current()
	if err != nil {
		return nil, err
	}
	if m := Missing(); len(m) > 0 {
		return nil, errors.New(strings.Join(m, "\n"))
	}
	if opts.ControlPlane == nil {
		return nil, errors.New("node.Start: no control plane")
	}
	if opts.Name == "" {
		opts.Name = "zds-node"
	}
	cache, err := CacheDir()
	if err != nil {
		return nil, err
	}
	cs, err := kubernetes.NewForConfig(opts.ControlPlane.Config)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(sb.Dir, "node-")
	if err != nil {
		return nil, err
	}
	n = &Node{
		Name:              opts.Name,
		Dir:               dir,
		ContainerdAddress: filepath.Join(dir, "containerd", "containerd.sock"),
		cs:                cs,
		bin:               filepath.Join(cache, "bin"),
		cgroup:            cgroupName(sb.Netns),
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, n.logTails())
			if serr := n.Stop(); serr != nil {
				err = fmt.Errorf("%w\nstopping: %v", err, serr)
			}
			n = nil
		}
	}()

	if err := n.makeBridge(); err != nil {
		return n, err
	}
	if err := n.writeConfigs(); err != nil {
		return n, err
	}
	if err := n.spawn("containerd", "containerd", "--config", filepath.Join(dir, "containerd.toml")); err != nil {
		return n, err
	}
	if err := controlplane.Poll(ctx, 30*time.Second, func() (bool, error) {
		if err := n.Alive(); err != nil {
			return false, err
		}
		_, err := n.Ctr(ctx, "version")
		return err == nil, nil
	}); err != nil {
		return n, fmt.Errorf("containerd never answered: %w", err)
	}
	pause := filepath.Join(dir, "pause.tar")
	if err := WriteImage(filepath.Join(n.bin, "pause"), PauseImage, pause); err != nil {
		return n, err
	}
	if err := n.ImportImage(ctx, pause); err != nil {
		return n, err
	}
	// The pods' cgroup (kubelet's cgroupRoot), made up front so the
	// kubelet's stats and eviction manager find it from the start.
	hierarchies, _ := filepath.Glob("/sys/fs/cgroup/*")
	for _, h := range hierarchies {
		if st, err := os.Stat(filepath.Join(h, "cgroup.procs")); err == nil && !st.IsDir() {
			if err := os.Mkdir(filepath.Join(h, n.cgroup), 0o755); err != nil && !os.IsExist(err) {
				return n, err
			}
		}
	}
	if err := n.spawn("kubelet", filepath.Join(n.bin, "kubelet"),
		"--config="+filepath.Join(dir, "kubelet.yaml"),
		"--kubeconfig="+opts.ControlPlane.Kubeconfig,
		"--root-dir="+filepath.Join(dir, "kubelet"),
		"--hostname-override="+n.Name,
		"--node-ip="+Gateway,
		"--node-labels="+Label+"=true",
		"--v=2",
	); err != nil {
		return n, err
	}
	if err := controlplane.Poll(ctx, 90*time.Second, func() (bool, error) {
		if err := n.Alive(); err != nil {
			return false, err
		}
		node, err := cs.CoreV1().Nodes().Get(ctx, n.Name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		ready := false
		for _, c := range node.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				ready = true
			}
		}
		if !ready {
			return false, nil
		}
		// The API server's TaintNodesByCondition admission registers the
		// node with a not-ready taint, which the node-lifecycle controller
		// (off in tests/controlplane) would lift: lift it here.
		var taints []corev1.Taint
		for _, t := range node.Spec.Taints {
			if t.Key != corev1.TaintNodeNotReady {
				taints = append(taints, t)
			}
		}
		if len(taints) == len(node.Spec.Taints) {
			return true, nil
		}
		node.Spec.Taints = taints
		if _, err := cs.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
			return false, err
		}
		return false, nil
	}); err != nil {
		return n, fmt.Errorf("node %s never became Ready: %w", n.Name, err)
	}
	return n, nil
}

// makeBridge creates the pods' bridge with the gateway address up front,
// so the kubelet has a node IP that is not loopback (the sandbox has no
// other interface). The CNI bridge plugin then uses it as it is.
func (n *Node) makeBridge() error {
	for _, args := range [][]string{
		{"link", "add", Bridge, "type", "bridge"},
		{"addr", "add", Gateway + "/24", "dev", Bridge},
		{"link", "set", Bridge, "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

func (n *Node) writeConfigs() error {
	d := n.Dir
	for _, sub := range []string{"containerd/root", "containerd/state", "cni/net.d", "cni/ipam", "kubelet", "pod-logs"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o755); err != nil {
			return err
		}
	}
	containerd := fmt.Sprintf(`version = 2
root = %[1]q
state = %[2]q
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = %[3]q

[plugins."io.containerd.internal.v1.opt"]
  path = %[4]q

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %[5]q
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  enable_selinux = false

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %[6]q
    conf_dir = %[7]q
    max_conf_num = 1

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
`,
		filepath.Join(d, "containerd/root"), filepath.Join(d, "containerd/state"), n.ContainerdAddress,
		filepath.Join(d, "containerd/opt"), PauseImage, cniBinDir, filepath.Join(d, "cni/net.d"))
	cni := fmt.Sprintf(`{
  "cniVersion": "1.0.0",
  "name": "zds",
  "plugins": [
    {
      "type": "bridge",
      "bridge": %q,
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": %q, "gateway": %q}]],
        "dataDir": %q
      }
    },
    {
      "type": "tuning",
      "sysctl": {
        "net.ipv6.conf.all.disable_ipv6": "1",
        "net.ipv6.conf.default.disable_ipv6": "1"
      }
    }
  ]
}
`, Bridge, PodCIDR, Gateway, filepath.Join(d, "cni/ipam"))
	kubelet := fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupsPerQOS: true
cgroupRoot: %[1]s
enforceNodeAllocatable: []
failSwapOn: false
containerRuntimeEndpoint: unix://%[2]s
authentication:
  anonymous:
    enabled: true
  webhook:
    enabled: false
authorization:
  mode: AlwaysAllow
address: %[3]s
port: %[4]d
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
podLogsDir: %[5]s
registerWithTaints:
- key: %[6]s
  value: "true"
  effect: NoSchedule
oomScoreAdj: 0
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 1Mi
  nodefs.available: 1%%
  nodefs.inodesFree: 1%%
  imagefs.available: 1%%
syncFrequency: 10s
fileCheckFrequency: 10s
nodeStatusUpdateFrequency: 5s
serializeImagePulls: false
`, n.cgroup, n.ContainerdAddress, Gateway, KubeletPort, filepath.Join(d, "pod-logs"), Taint)
	for file, data := range map[string]string{
		"containerd.toml":           containerd,
		"cni/net.d/10-zds.conflist": cni,
		"kubelet.yaml":              kubelet,
	} {
		if err := os.WriteFile(filepath.Join(d, file), []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Ctr runs ctr against the node's containerd in the Kubernetes namespace.
func (n *Node) Ctr(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "ctr", append([]string{"--address", n.ContainerdAddress, "--namespace", ctrNamespace}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("ctr %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return out, nil
}

// ImportImage imports an image tarball (see WriteImage) into the node's
// containerd, for pods with imagePullPolicy: Never.
func (n *Node) ImportImage(ctx context.Context, tarball string) error {
	_, err := n.Ctr(ctx, "images", "import", tarball)
	return err
}

// BuildImage compiles the Go main package in dir into an image named ref
// (see BuildImage) and imports it into the node.
func (n *Node) BuildImage(ctx context.Context, dir, ref string) error {
	tmp, err := os.MkdirTemp(n.Dir, "image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	tarball := filepath.Join(tmp, "image.tar")
	if err := BuildImage(ctx, dir, ref, tarball); err != nil {
		return err
	}
	return n.ImportImage(ctx, tarball)
}

// Pin makes a pod spec run on the real node: a nodeSelector on Label and a
// toleration of Taint.
func (n *Node) Pin(spec *corev1.PodSpec) {
	if spec.NodeSelector == nil {
		spec.NodeSelector = map[string]string{}
	}
	spec.NodeSelector[Label] = "true"
	spec.Tolerations = append(spec.Tolerations, corev1.Toleration{
		Key: Taint, Operator: corev1.TolerationOpEqual, Value: "true", Effect: corev1.TaintEffectNoSchedule,
	})
}

func (n *Node) spawn(name, bin string, args ...string) error {
	logPath := filepath.Join(n.Dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
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
	n.procs = append(n.procs, p)
	return nil
}

// Alive reports an error if containerd or the kubelet exited.
func (n *Node) Alive() error {
	for _, p := range n.procs {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited: %v", p.name, p.err)
		default:
		}
	}
	return nil
}

func (n *Node) logTails() string {
	var b strings.Builder
	for _, p := range n.procs {
		data, _ := os.ReadFile(p.log)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) > 15 {
			lines = lines[len(lines)-15:]
		}
		fmt.Fprintf(&b, "--- last lines of %s (%s) ---\n%s\n", p.name, p.log, strings.Join(lines, "\n"))
	}
	return b.String()
}

func (n *Node) stopProc(name string, grace time.Duration) {
	for _, p := range n.procs {
		if p.name != name {
			continue
		}
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	}
}

// Stop stops the kubelet, every container and containerd, unmounts what
// they mounted, removes the node's cgroups, the bridge, the Node object and
// the node's directory, and returns an error naming whatever is left.
func (n *Node) Stop() error {
	if n == nil || n.stopped {
		return nil
	}
	n.stopped = true
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The kubelet first, so that it restarts nothing.
	n.stopProc("kubelet", 10*time.Second)
	// Every task (pods' containers and sandboxes): killed and deleted,
	// which makes their shims exit; then the containers and snapshots.
	// Best effort, in rounds: a task may go while we look (the kubelet was
	// stopping it), and deleting the last task of a pod ends its shim under
	// a concurrent delete. Leftovers has the last word.
	if n.procAlive("containerd") {
		for round := 0; ; round++ {
			out, err := n.Ctr(ctx, "tasks", "ls", "-q")
			ids := strings.Fields(string(out))
			if err != nil || len(ids) == 0 {
				break
			}
			if round == 3 {
				errs = append(errs, fmt.Errorf("containerd tasks that would not go: %s", strings.Join(ids, " ")))
				break
			}
			var wg sync.WaitGroup
			for _, id := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, _ = n.Ctr(ctx, "tasks", "rm", "-f", id)
				}()
			}
			wg.Wait()
		}
		if out, err := n.Ctr(ctx, "containers", "ls", "-q"); err == nil {
			if ids := strings.Fields(string(out)); len(ids) > 0 {
				_, _ = n.Ctr(ctx, append([]string{"containers", "rm"}, ids...)...)
			}
		}
	}
	n.stopProc("containerd", 10*time.Second)
	// Whatever is still running from the node: shims, containers.
	if left := n.kill(5 * time.Second); len(left) > 0 {
		errs = append(errs, fmt.Errorf("processes that would not die: %s", strings.Join(left, "; ")))
	}
	if err := unmountUnder(n.Dir); err != nil {
		errs = append(errs, err)
	}
	if err := removeCgroups(n.cgroup, 5*time.Second); err != nil {
		errs = append(errs, err)
	}
	if _, err := net.InterfaceByName(Bridge); err == nil {
		if out, err := exec.Command("ip", "link", "del", Bridge).CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("ip link del %s: %v: %s", Bridge, err, out))
		}
	}
	if n.cs != nil {
		dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
		err := n.cs.CoreV1().Nodes().Delete(dctx, n.Name, metav1.DeleteOptions{})
		dcancel()
		if err != nil && !apierrors.IsNotFound(err) && dctx.Err() == nil {
			errs = append(errs, fmt.Errorf("deleting node %s: %w", n.Name, err))
		}
	}
	if left := n.Leftovers(); len(left) > 0 {
		errs = append(errs, fmt.Errorf("left behind: %s", strings.Join(left, "; ")))
	}
	if len(errs) == 0 && os.Getenv("ZDS_KEEP_NODE_DIR") == "" {
		if err := os.RemoveAll(n.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (n *Node) procAlive(name string) bool {
	for _, p := range n.procs {
		if p.name == name {
			select {
			case <-p.done:
				return false
			default:
				return true
			}
		}
	}
	return false
}

// ours lists the processes belonging to the node: those whose command
// line, root or working directory is under its directory (containerd, its
// shims, the kubelet, containers whose root is a snapshot) or that are in
// its cgroup.
func (n *Node) ours() map[int]string {
	found := map[int]string{}
	entries, _ := os.ReadDir("/proc")
	self := os.Getpid()
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil || pid == self {
			continue
		}
		p := filepath.Join("/proc", e.Name())
		cmdline, err := os.ReadFile(filepath.Join(p, "cmdline"))
		if err != nil || len(cmdline) == 0 {
			continue // gone, or a zombie
		}
		root, _ := os.Readlink(filepath.Join(p, "root"))
		cwd, _ := os.Readlink(filepath.Join(p, "cwd"))
		cg, _ := os.ReadFile(filepath.Join(p, "cgroup"))
		if strings.Contains(string(cmdline), n.Dir) || under(root, n.Dir) || under(cwd, n.Dir) ||
			strings.Contains(string(cg), ":"+n.cgroup+"/") || strings.Contains(string(cg), ":"+n.cgroup+"\n") {
			found[pid] = strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " ")
		}
	}
	return found
}

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// kill SIGKILLs the node's processes until none is left or timeout passes,
// returning those left.
func (n *Node) kill(timeout time.Duration) []string {
	deadline := time.Now().Add(timeout)
	for {
		procs := n.ours()
		if len(procs) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			var left []string
			for pid, cmd := range procs {
				left = append(left, fmt.Sprintf("%d %s", pid, cmd))
			}
			sort.Strings(left)
			return left
		}
		for pid := range procs {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mountsUnder lists the mount points under dir, deepest first.
func mountsUnder(dir string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var mounts []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if under(mp, dir) {
			mounts = append(mounts, mp)
		}
	}
	sort.Slice(mounts, func(i, j int) bool { return len(mounts[i]) > len(mounts[j]) })
	return mounts
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space, ...).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c int
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &c); err == nil {
				b.WriteByte(byte(c))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unmountUnder unmounts everything under dir (a bind mount of a directory
// onto itself, the kubelet's root directory, included).
func unmountUnder(dir string) error {
	for range 10 {
		mounts := mountsUnder(dir)
		if len(mounts) == 0 {
			return nil
		}
		for _, m := range mounts {
			_ = syscall.Unmount(m, syscall.MNT_DETACH)
		}
	}
	return fmt.Errorf("still mounted: %s", strings.Join(mountsUnder(dir), ", "))
}

// Leftovers lists what of the node is still there: processes, mounts,
// cgroups, the bridge.
func (n *Node) Leftovers() []string {
	var left []string
	for pid, cmd := range n.ours() {
		left = append(left, fmt.Sprintf("process %d %s", pid, cmd))
	}
	for _, m := range mountsUnder(n.Dir) {
		left = append(left, "mount "+m)
	}
	for _, d := range cgroupDirs(n.cgroup) {
		left = append(left, "cgroup "+d)
	}
	if _, err := net.InterfaceByName(Bridge); err == nil {
		left = append(left, "interface "+Bridge)
	}
	sort.Strings(left)
	return left
}
