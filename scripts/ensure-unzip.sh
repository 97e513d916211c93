#!/usr/bin/env bash
# The .zip tests check archives with Debian's unzip, as a user would open them.
set -euo pipefail
source "$(dirname "$0")/lib/ensure-debian-package.sh"
ensure_debian_package /usr/bin/unzip unzip "the .zip download tests"
