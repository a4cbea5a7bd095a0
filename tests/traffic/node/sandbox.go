// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package node

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The sandbox: Main re-executes the test binary inside namespaces of its own.
//
//	host process (go test's binary)      creates the network namespace NAME
//	                                     (ip netns add), a scratch directory,
//	                                     waits, then deletes both
//	└─ init: PID 1 of a new PID and      joins NAME, mounts a fresh /proc and
//	   mount namespace                   private tmpfs over the host paths a
//	                                     node writes to, reaps orphans
//	   └─ test: runs m.Run()             everything a test starts (control
//	                                     plane, containerd, kubelet, pods)
//	                                     runs here and below
//
// Only loopback and the pod bridge the node creates exist in NAME, so pod
// addresses are routed nowhere else. When the tests end, init kills whatever
// is left (the kernel kills every process of a PID namespace when its init
// exits) and the mounts vanish with the mount namespace.
const (
	envNetns = "ZDS_NETNS"      // name of the network namespace (ip netns)
	envRole  = "ZDS_NETNS_ROLE" // "init" or "test"
	envDir   = "ZDS_NETNS_DIR"  // scratch directory of the run (also TMPDIR)
)

// privateDirs get an empty tmpfs in the sandbox's mount namespace: the
// paths containerd, the CNI plugins and the kubelet write to without a
// setting to move them (shim sockets in /run/containerd/s, the CNI result
// cache in /var/lib/cni, device-plugin sockets in /var/lib/kubelet, log
// links in /var/log/containers). Missing ones are created (empty) on the
// host first and left there: removing a directory that another run has
// mounted over would detach that mount.
var privateDirs = []string{"/run", "/var/lib/kubelet", "/var/lib/cni", "/var/log/containers"}

// Sandbox describes the namespaces the tests run in.
type Sandbox struct {
	// Netns is the name of the network namespace (ip netns list).
	Netns string
	// Dir is the run's scratch directory, removed when the run ends.
	Dir string
}

var (
	current   *Sandbox
	noSandbox = "the test binary does not run in a sandbox: call node.Main(m) from TestMain"
)

// Current returns the sandbox the tests run in, or an error saying why they
// do not run in one.
func Current() (*Sandbox, error) {
	if current == nil {
		return nil, errors.New(noSandbox)
	}
	return current, nil
}

// Main runs the package's tests inside a sandbox (see Sandbox) and exits. Use
// it as the whole TestMain of a package that starts a node:
//
//	func TestMain(m *testing.M) { node.Main(m) }
//
// Where no sandbox can be made (not root, no `ip`), the tests run unsandboxed
// and Start refuses to start a node, saying why.
func Main(m *testing.M) {
	switch os.Getenv(envRole) {
	case "init":
		os.Exit(initMain())
	case "test":
		current = &Sandbox{Netns: os.Getenv(envNetns), Dir: os.Getenv(envDir)}
		os.Exit(m.Run())
	}
	os.Exit(hostMain(m))
}

func hostMain(m *testing.M) int {
	if why := sandboxUnsupported(); why != "" {
		noSandbox = why
		return m.Run()
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := "zds-" + hex.EncodeToString(suffix)
	dir, err := os.MkdirTemp("", name+"-")
	if err != nil {
		noSandbox = err.Error()
		return m.Run()
	}
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		noSandbox = fmt.Sprintf("ip netns add %s: %v: %s", name, err, strings.TrimSpace(string(out)))
		return m.Run()
	}
	code := runSandboxed(name, dir)
	if err := removeSandbox(name, dir); err != nil {
		fmt.Fprintf(os.Stderr, "node sandbox: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func sandboxUnsupported() string {
	if runtime.GOOS != "linux" {
		return "a node needs Linux"
	}
	if os.Geteuid() != 0 {
		return "a node needs root (network namespaces, mounts, cgroups): run the tests as root"
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return "no `ip` command: run `sudo bash tests/traffic/node/install-deps.sh`"
	}
	return ""
}

func runSandboxed(name, dir string) int {
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "node sandbox: %v\n", err)
		return 1
	}
	// Loopback up; no IPv6 at all, so no link-local addresses and routes.
	if out, err := exec.Command("ip", "-n", name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		return fail(fmt.Errorf("ip -n %s link set lo up: %v: %s", name, err, out))
	}
	_ = exec.Command("ip", "netns", "exec", name, "sh", "-c",
		"echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6").Run()
	for _, d := range privateDirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fail(err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envNetns+"="+name, envRole+"=init", envDir+"="+dir, "TMPDIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:   syscall.CLONE_NEWPID,
		Unshareflags: syscall.CLONE_NEWNS, // Go makes / private in it
		Pdeathsig:    syscall.SIGKILL,
	}
	// Pdeathsig fires when the forking thread ends: keep it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return fail(err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if code := exit.ExitCode(); code > 0 {
			return code
		}
		return 1
	default:
		return fail(err)
	}
}

// removeSandbox deletes the network namespace and the scratch directory,
// reporting what could not be removed.
func removeSandbox(name, dir string) error {
	var errs []error
	if os.Getenv("ZDS_KEEP_NODE_DIR") == "" {
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, err)
		}
	} else {
		fmt.Fprintf(os.Stderr, "node sandbox: kept %s (ZDS_KEEP_NODE_DIR)\n", dir)
	}
	if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
		errs = append(errs, fmt.Errorf("ip netns del %s: %v: %s", name, err, strings.TrimSpace(string(out))))
	}
	if _, err := os.Stat(filepath.Join("/run/netns", name)); err == nil {
		errs = append(errs, fmt.Errorf("network namespace %s is still there", name))
	}
	return errors.Join(errs...)
}

// initMain is PID 1 of the sandbox: it joins the network namespace, makes
// the mount namespace its own, runs the tests as its child, reaps orphans
// (daemonized containerd shims end up here), and, once the tests exit,
// kills and reaps whatever is left.
func initMain() int {
	// setns changes only the calling thread: keep this goroutine on it
	// (never unlocked, so the thread dies with the process) and fork the
	// tests from it.
	runtime.LockOSThread()
	name := os.Getenv(envNetns)
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "node sandbox init: %v\n", err)
		return 1
	}
	f, err := os.Open(filepath.Join("/run/netns", name))
	if err != nil {
		return fail(err)
	}
	if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
		return fail(fmt.Errorf("setns %s: %w", name, err))
	}
	f.Close()
	if err := syscall.Mount("proc", "/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
		return fail(fmt.Errorf("mounting /proc: %w", err))
	}
	for _, d := range privateDirs {
		if err := syscall.Mount("tmpfs", d, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=755"); err != nil {
			return fail(fmt.Errorf("mounting a tmpfs on %s: %w", d, err))
		}
	}

	exe, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envRole+"=") {
			env = append(env, kv)
		}
	}
	env = append(env, envRole+"=test")
	child, err := os.StartProcess(exe, os.Args, &os.ProcAttr{
		Env:   env,
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
		Sys:   &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	})
	if err != nil {
		return fail(err)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	go func() {
		for s := range sigs {
			_ = child.Signal(s)
		}
	}()

	code := -1
	for code < 0 {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		switch {
		case errors.Is(err, syscall.EINTR):
		case err != nil:
			return fail(fmt.Errorf("wait: %w", err))
		case pid == child.Pid && ws.Exited():
			code = ws.ExitStatus()
		case pid == child.Pid && ws.Signaled():
			code = 128 + int(ws.Signal())
		}
	}

	if left := processes(); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "node sandbox: killing what the tests left running:\n  %s\n", strings.Join(left, "\n  "))
		if code == 0 {
			code = 1
		}
	}
	_ = syscall.Kill(-1, syscall.SIGKILL)
	for {
		_, err := syscall.Wait4(-1, nil, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			break
		}
	}
	// Cgroups are not namespaced here (cgroup v1): remove the node's.
	if err := removeCgroups(cgroupName(name), 5*time.Second); err != nil {
		fmt.Fprintf(os.Stderr, "node sandbox: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// processes lists the processes of this PID namespace but the caller, as
// "pid command line".
func processes() []string {
	entries, _ := os.ReadDir("/proc")
	self := os.Getpid()
	var out []string
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil || pid == self {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(cmdline) == 0 {
			continue // gone, or a zombie
		}
		out = append(out, fmt.Sprintf("%d %s", pid, strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " ")))
	}
	sort.Strings(out)
	return out
}

// cgroupName is the cgroup (in every hierarchy) the node's pods run under.
func cgroupName(netns string) string { return "/" + netns }

// cgroupDirs lists the directories of cgroup in every mounted hierarchy.
func cgroupDirs(cgroup string) []string {
	hierarchies, _ := filepath.Glob("/sys/fs/cgroup/*")
	var dirs []string
	for _, h := range hierarchies {
		d := filepath.Join(h, cgroup)
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			dirs = append(dirs, d)
		}
	}
	if st, err := os.Stat(filepath.Join("/sys/fs/cgroup", cgroup, "cgroup.procs")); err == nil && !st.IsDir() {
		dirs = append(dirs, filepath.Join("/sys/fs/cgroup", cgroup)) // cgroup v2
	}
	return dirs
}

// removeCgroups removes the cgroup and its children in every hierarchy,
// retrying while processes in them are still exiting.
func removeCgroups(cgroup string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var errs []error
		for _, d := range cgroupDirs(cgroup) {
			var tree []string
			_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
				if err == nil && e.IsDir() {
					tree = append(tree, p)
				}
				return nil
			})
			for i := len(tree) - 1; i >= 0; i-- { // children first
				if err := syscall.Rmdir(tree[i]); err != nil && !errors.Is(err, syscall.ENOENT) {
					errs = append(errs, fmt.Errorf("rmdir %s: %w", tree[i], err))
				}
			}
		}
		if len(errs) == 0 || time.Now().After(deadline) {
			return errors.Join(errs...)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
