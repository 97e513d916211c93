#!/usr/bin/env bash
# ensure_debian_package BINARY PACKAGE PURPOSE
# Tests use Debian's builds of some programs (nothing else can be downloaded here). Installs PACKAGE
# when BINARY is missing and this user may (root with apt-get); otherwise says what to install.
ensure_debian_package() {
  local binary=$1 package=$2 purpose=$3
  [ -x "$binary" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ "${TABSWARM_NO_INSTALL:-}" != 1 ]; then
    echo "Installing Debian's $package for $purpose (apt-get)…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "$package" >/dev/null
    [ -x "$binary" ] && return 0
  fi
  echo "$purpose need $binary: install it with 'sudo apt-get install $package' and run npm test again." >&2
  return 1
}
