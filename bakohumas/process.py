"""One nameko process: ``python -m bakohumas.process NAME``.

eventlet must patch the standard library before anything else imports it.
"""
import warnings

# eventlet announces on import that it is in bugfix-only mode; nameko 2 has no other hub.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import logging  # noqa: E402
import logging.config  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from nameko.cli.run import run  # noqa: E402

from bakohumas.stack import provide_gateway_secret, service_class  # noqa: E402
from shared.config import load_config  # noqa: E402


def main(name):
    if name == "gateway":
        provide_gateway_secret(load_config())
    config = load_config()
    if name == "gateway":
        config["max_workers"] = config.get("GATEWAY_MAX_WORKERS") or config["max_workers"]
    logging.config.dictConfig(config["LOGGING"])
    # nameko kills the whole container when a worker cannot ack or answer because the broker went
    # away (a RabbitMQ restart): start a fresh one, which waits for the broker to come back.
    # Unacked messages are redelivered and unanswered callers retry, so nothing is lost.
    # A failure right at start (bad configuration, a broken migration) still ends the process.
    while True:
        started = time.monotonic()
        try:
            run([service_class(name)], config)
            return
        except Exception:
            if time.monotonic() - started < 5:
                raise
            logging.getLogger("bakohumas.process").exception("%s stopped with an error; starting again", name)
            eventlet.sleep(1)


if __name__ == "__main__":
    main(sys.argv[1])
