#!/usr/bin/env bash
# Web seed tests compare our url-list with what mktorrent -w writes.
set -euo pipefail
source "$(dirname "$0")/lib/ensure-debian-package.sh"
ensure_debian_package /usr/bin/mktorrent mktorrent "the web seed tests (torrents made with mktorrent -w)"
