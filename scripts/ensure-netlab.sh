#!/usr/bin/env bash
# The network lab (test/netlab/) builds hosts, NATs and shaped links out of network namespaces:
# iproute2 (ip, tc), nftables (nft) for the NATs, and a C compiler for its delay line.
set -euo pipefail
source "$(dirname "$0")/lib/ensure-debian-package.sh"
ensure_debian_package /usr/sbin/nft nftables "the network lab's NATs"
ensure_debian_package /sbin/tc iproute2 "the network lab's namespaces and shaping"
ensure_debian_package /usr/bin/cc gcc "the network lab's delay line (compiled from C)"
