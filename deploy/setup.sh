#!/usr/bin/env bash
# Everything `make run` and `make test` need, from a fresh clone: a virtualenv of the newest supported
# Python (3.13, 3.12 or 3.11, also found under pyenv; PYTHON=... chooses) with the pinned packages, and
# a reachable RabbitMQ (see ensure-rabbitmq.sh). Safe to run again: it only reinstalls when
# pyproject.toml changed. --browser: also Debian's chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

# The supported Pythons, newest first (pyproject.toml's requires-python says the same).
SUPPORTED_MINORS=${PYTHON_MINORS:-13 12 11}  # PYTHON_MINORS=11: only 3.11

supported() {  # python: is it one of SUPPORTED_MINORS?
  "$1" -c 'import sys; sys.exit(str(sys.version_info[1]) not in sys.argv[1].split() or sys.version_info[0] != 3)' \
    "$SUPPORTED_MINORS" 2>/dev/null
}

find_python() {
  if [ -n "${PYTHON:-}" ]; then
    supported "$PYTHON" && { echo "$PYTHON"; return 0; }
    echo "bakohumas setup: PYTHON=$PYTHON is not Python 3.${SUPPORTED_MINORS// /, 3.}" >&2
    return 1
  fi
  local pyenv_root=${PYENV_ROOT:-$HOME/.pyenv} minor candidate
  for minor in $SUPPORTED_MINORS; do
    for candidate in "python3.$minor" $(ls -d "$pyenv_root"/versions/3."$minor".*/bin/python 2>/dev/null | sort -V -r); do
      if supported "$candidate"; then echo "$candidate"; return 0; fi
    done
  done
  if supported python3; then echo python3; return 0; fi
  echo "bakohumas setup: Python 3.${SUPPORTED_MINORS// /, 3.} is needed (set PYTHON=/path/to/python3)" >&2
  return 1
}

if [ "${1:-}" = "--which-python" ]; then  # print the interpreter setup would use, and stop
  find_python
  exit
fi
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
