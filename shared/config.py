"""Load the one nameko YAML config, with ``${VAR:default}`` taken from the environment.

The substitution happens on the text before YAML parses it, so a value from the
environment gets the same typing as one written in the file.
"""
import os
import re
from pathlib import Path

import yaml

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "config.yaml"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


def substitute(text, environ=None):
    environ = os.environ if environ is None else environ

    def value(match):
        name, default = match.group(1), match.group(2)
        if name in environ:
            return environ[name]
        if default is None:
            raise KeyError(f"configuration needs the environment variable {name}")
        return default

    return _VARIABLE.sub(value, text)


def load_config(path=None, environ=None):
    path = Path(path or os.environ.get("BAKOHUMAS_CONFIG") or DEFAULT_CONFIG)
    return yaml.safe_load(substitute(path.read_text(), environ)) or {}


def database_url(config, service_name):
    """The service's own database: its configured URL, else a SQLite file under DATA_DIR."""
    configured = (config.get("DATABASES") or {}).get(service_name)
    if configured:
        return configured
    data_dir = Path(config.get("DATA_DIR") or "data").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / (service_name + '.db')}"


def public_base_url(config):
    """The gateway's public base URL: ``PUBLIC_URL``, else its own listening address (no trailing /)."""
    configured = str(config.get("PUBLIC_URL") or "").strip()
    address = config.get("WEB_SERVER_ADDRESS", "127.0.0.1:8000")
    return (configured or f"http://{address}").rstrip("/")
