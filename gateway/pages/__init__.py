"""The HTML pages the gateway serves: ``public`` (citizens) and ``console`` (officers)."""
