#!/usr/bin/env bash
# WebTorrent and bittorrent-tracker (interop tests, benchmarks) live in a folder of their own and
# install only without scripts: their node-datachannel dependency cannot build here.
set -euo pipefail
cd "$(dirname "$0")/../test/reference-peers"
if [ ! -d node_modules/bittorrent-tracker ] || [ ! -d node_modules/webtorrent ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing the reference peers (webtorrent, bittorrent-tracker) in test/reference-peers…" >&2
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
fi
