#!/usr/bin/env bash
# Everything `make run` and `make test` need, from a fresh clone: a Python 3.11 virtualenv with the
# pinned packages, and a reachable RabbitMQ (see ensure-rabbitmq.sh). Safe to run again: it only
# reinstalls when pyproject.toml changed. --browser: also Debian's chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "bakohumas setup: Python 3.11 is needed (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

if [ ! -x "$VENV/bin/python" ]; then
  python=$(find_python)
  echo "bakohumas setup: creating the virtualenv $VENV with $python" >&2
  "$python" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "bakohumas setup: installing the pinned packages" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi
rabbit_args=()
for arg in "$@"; do
  if [ "$arg" = "--browser" ]; then deploy/ensure-chromium.sh; else rabbit_args+=("$arg"); fi
done
deploy/ensure-rabbitmq.sh "${rabbit_args[@]}"
