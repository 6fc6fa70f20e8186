#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers on $RABBIT_HOST:$RABBIT_PORT (default 127.0.0.1:5672):
# use a running one; else start a locally installed rabbitmq-server; else, as root on Debian,
# install it and start it; else say exactly what to do. With --management, also make sure the
# management plugin answers on port 15672 (the test fixtures create a vhost per test through it).
set -euo pipefail
HOST=${RABBIT_HOST:-127.0.0.1}
PORT=${RABBIT_PORT:-5672}
MGMT_PORT=${RABBIT_MANAGEMENT_PORT:-15672}
want_management=0
[ "${1:-}" = "--management" ] && want_management=1

answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() {  # host port seconds what
  local i
  for ((i = 0; i < $3 * 2; i++)); do
    answers "$1" "$2" && return 0
    sleep 0.5
  done
  echo "bakohumas setup: $4 did not come up on $1:$2 within $3 s" >&2
  return 1
}

start_local() {
  echo "bakohumas setup: starting the local rabbitmq-server" >&2
  rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_for "$HOST" "$PORT" 90 "RabbitMQ"
}

if ! answers "$HOST" "$PORT"; then
  if [ "$HOST" != "127.0.0.1" ] && [ "$HOST" != "localhost" ]; then
    echo "bakohumas setup: no RabbitMQ answers on $HOST:$PORT; start it there, or unset RABBIT_HOST" >&2
    exit 1
  fi
  if command -v rabbitmq-server >/dev/null 2>&1; then
    start_local
  elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bakohumas setup: installing rabbitmq-server from Debian's packages" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
    start_local
  else
    cat >&2 <<MSG
bakohumas setup: RabbitMQ is not running on $HOST:$PORT and is not installed.
  Debian/Ubuntu:  sudo apt-get install rabbitmq-server && sudo rabbitmq-server -detached
  Docker:         docker run -d -p 5672:5672 -p 15672:15672 rabbitmq:3-management
  Elsewhere:      install RabbitMQ 3.x, start it, and run this command again
                  (or point RABBIT_HOST/RABBIT_PORT and AMQP_URI at a broker you have).
MSG
    exit 1
  fi
fi

if [ "$want_management" = 1 ] && ! answers "$HOST" "$MGMT_PORT"; then
  if command -v rabbitmq-plugins >/dev/null 2>&1; then
    echo "bakohumas setup: enabling the RabbitMQ management plugin" >&2
    rabbitmq-plugins enable rabbitmq_management >/dev/null
    wait_for "$HOST" "$MGMT_PORT" 60 "the RabbitMQ management plugin"
  else
    echo "bakohumas setup: enable the RabbitMQ management plugin on $HOST:$MGMT_PORT (rabbitmq-plugins enable rabbitmq_management)" >&2
    exit 1
  fi
fi
