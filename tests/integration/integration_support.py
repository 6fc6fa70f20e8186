"""Helpers for the integration tests: waiting on the broker, reaching into a running container."""
import time


def wait_until(check, timeout=15):
    """Poll ``check()`` until it returns something truthy, and return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def dependency(container, attr_name):
    """The dependency provider a service container runs for the service's attribute ``attr_name``."""
    return next(dep for dep in container.dependencies if dep.attr_name == attr_name)


def store_of(container):
    """The :class:`shared.db.Store` a service container uses."""
    return dependency(container, "db").store
