#!/usr/bin/env bash
# Streaming tests play real media made by Debian's ffmpeg in the test (WebM, MP4 with the moov atom at the end).
set -euo pipefail
source "$(dirname "$0")/lib/ensure-debian-package.sh"
ensure_debian_package /usr/bin/ffmpeg ffmpeg "the streaming tests (media made by ffmpeg)"
