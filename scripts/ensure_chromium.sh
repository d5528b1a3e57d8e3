#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (no browser download).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing chromium"
  $SUDO apt-get install -y -q chromium chromium-driver >/dev/null || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium chromium-driver >/dev/null; }
fi
# Korean glyphs for the screenshots the browser tests save (best effort: the tests don't need them).
if ! fc-list :lang=ko 2>/dev/null | grep -q .; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing Korean fonts for the test screenshots"
  $SUDO apt-get install -y -q fonts-noto-cjk >/dev/null 2>&1 || echo "could not install fonts-noto-cjk; screenshots will show boxes for Korean text"
fi
