"""Operator tooling of Bakohumas Hub: the ``bakohumas`` command and the local stack runner."""
from importlib.metadata import PackageNotFoundError, version

try:
    # The one version of the system: pyproject.toml's, as installed.
    __version__ = version("bakohumas-hub")
except PackageNotFoundError:  # run from a tree that was never installed
    __version__ = "0+unknown"
