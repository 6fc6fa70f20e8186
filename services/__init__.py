"""The six Bakohumas Hub services; each folder has the same files in the same roles:

- ``service.py``: nameko entrypoints only (RPC methods, event handlers, timers)
- ``domain/``: the rules, free of transport and clock, one module per topic
- ``models.py``: the service's tables (plus its outbox and handled-event tables)
- ``schemas.py``: marshmallow schemas of what it accepts and answers
- ``migrations/``: alembic revisions of its own database

docs/architecture.md is the whole convention.
"""
SERVICE_NAMES = ("directory", "calendar", "distribution", "complaints", "information", "notifications")
