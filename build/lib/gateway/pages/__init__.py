"""The HTML pages the gateway serves: ``public`` (citizens), later ``console`` (officers)."""
