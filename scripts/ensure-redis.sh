#!/usr/bin/env bash
# Scale-out tests start their own redis-server (Debian's) on a free port.
set -euo pipefail
source "$(dirname "$0")/lib/ensure-debian-package.sh"
ensure_debian_package /usr/bin/redis-server redis-server "the Redis scale-out tests"
