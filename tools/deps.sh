#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# deps.sh - install the Debian packages tflow's build, demo and tests need (idempotent, root).
set -e
PKGS="clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev gcc make pkg-config libc6-dev jq
      iproute2 iputils-ping ethtool tcpdump nfdump tshark pmacct python3 python3-scapy
      clang-format libclang-rt-14-dev softflowd fprobe nftables conntrack python3-prometheus-client
      groff-base man-db bsdextrautils systemd"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run 'make deps' as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q $missing
