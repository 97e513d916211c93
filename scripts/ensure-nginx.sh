#!/usr/bin/env bash
# Web seed tests serve files from Debian's nginx, a real third-party origin, on a free loopback port.
set -euo pipefail
source "$(dirname "$0")/lib/ensure-debian-package.sh"
ensure_debian_package /usr/sbin/nginx nginx-light "the web seed tests (nginx as a third-party origin)"
