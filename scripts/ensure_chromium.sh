#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (no browser download).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing chromium"
  $SUDO apt-get install -y -q chromium chromium-driver >/dev/null || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium chromium-driver >/dev/null; }
fi
