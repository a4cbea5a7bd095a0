#!/usr/bin/env bash
# Installs what a real test node needs from Debian packages: containerd,
# runc, the CNI plugins (/usr/lib/cni), iptables and iproute2 (ip netns).
# Idempotent: quiet and quick when everything is already installed.
set -euo pipefail
pkgs=(containerd runc containernetworking-plugins iptables iproute2)

missing=()
for p in "${pkgs[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: missing ${missing[*]}; run as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when they were never fetched or the install
# fails without them.
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 ||
  ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "installed: ${missing[*]}" >&2
