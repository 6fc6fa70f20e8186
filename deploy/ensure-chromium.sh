#!/usr/bin/env bash
# The browser the browser tests drive: Debian's `chromium` package. Playwright is pointed at
# /usr/bin/chromium and never downloads a browser of its own.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "bakohumas setup: installing Debian's chromium for the browser tests" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x "$CHROMIUM" ] && exit 0
fi
echo "bakohumas setup: the browser tests need $CHROMIUM; install Debian's package as root:" \
     "apt-get update && apt-get install -y chromium" >&2
exit 1
