#!/usr/bin/env bash
# Installs what the traffic tests (tests/traffic/...) need beyond Go: HAProxy,
# the stand-in for an AWS ALB. Safe to run again; does nothing when HAProxy is
# already there. CI machines are fresh, so CI must run this before go test:
# under CI=true a missing haproxy fails the tests instead of skipping them.
set -euo pipefail

bin="$(command -v haproxy || echo /usr/sbin/haproxy)"
if [ -x "$bin" ]; then
	echo "haproxy present: $("$bin" -v | sed -n 1p)"
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends haproxy >/dev/null

# The package enables a system-wide haproxy service where systemd runs. The
# tests start their own instances on loopback ports; a system one would only
# use resources, so stop it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet haproxy 2>/dev/null; then
	$sudo systemctl disable --now haproxy >/dev/null 2>&1 || true
fi

/usr/sbin/haproxy -v | sed -n 1p
