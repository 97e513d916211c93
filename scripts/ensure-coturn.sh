#!/usr/bin/env bash
# TURN tests run Debian's coturn (turnserver) on a port of their own, with a config of their own.
# Debian installs it with its system service off; if one runs anyway, tests do not use it.
set -euo pipefail
source "$(dirname "$0")/lib/ensure-debian-package.sh"
ensure_debian_package /usr/bin/turnserver coturn "the TURN tests (coturn as the relay)"
