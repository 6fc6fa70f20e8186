"""The framework's ceiling on this machine: a trivial nameko HTTP entrypoint calling a trivial RPC.

``python -m bench.echo service`` and ``python -m bench.echo gateway`` run the pair as two processes,
as the real gateway and services run, configured from the environment (AMQP_URI, ECHO_PORT).
"""
import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from nameko.rpc import RpcProxy, rpc  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402
from nameko.web.handlers import http  # noqa: E402


class EchoService:
    name = "echo"

    @rpc
    def echo(self, value):
        return value


class EchoGateway:
    name = "echo_gateway"
    echo = RpcProxy("echo")

    @http("GET", "/echo")
    def get_echo(self, request):
        return 200, {"Content-Type": "application/json"}, json.dumps(self.echo.echo({"status": "ok"}))


def main(role):
    config = {"AMQP_URI": os.environ["AMQP_URI"],
              "WEB_SERVER_ADDRESS": f"127.0.0.1:{os.environ.get('ECHO_PORT', '8099')}"}
    runner = ServiceRunner(config)
    runner.add_service(EchoService if role == "service" else EchoGateway)
    runner.start()
    runner.wait()


if __name__ == "__main__":
    main(sys.argv[1])
