"""One nameko process: ``python -m bakohumas.process NAME``.

eventlet must patch the standard library before anything else imports it.
"""
import warnings

# eventlet announces on import that it is in bugfix-only mode; nameko 2 has no other hub.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import logging.config  # noqa: E402
import sys  # noqa: E402

from nameko.cli.run import run  # noqa: E402

from bakohumas.stack import provide_gateway_secret, service_class  # noqa: E402
from shared.config import load_config  # noqa: E402


def main(name):
    if name == "gateway":
        provide_gateway_secret(load_config())
    config = load_config()
    logging.config.dictConfig(config["LOGGING"])
    run([service_class(name)], config)


if __name__ == "__main__":
    main(sys.argv[1])
