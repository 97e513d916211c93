#!/usr/bin/env bash
# The Firefox tests drive Debian's firefox-esr over WebDriver BiDi (puppeteer-core; no browser download).
set -euo pipefail
source "$(dirname "$0")/lib/ensure-debian-package.sh"
ensure_debian_package /usr/bin/firefox-esr firefox-esr "the Firefox tests"
