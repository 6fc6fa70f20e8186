"""The four Bakohumas Hub services; each folder has the same files in the same roles:

- ``service.py``: nameko entrypoints only (RPC methods, event handlers, timers)
- ``domain.py``: the rules, free of transport
- ``models.py``: the service's tables (plus its outbox and handled-event tables)
- ``schemas.py``: marshmallow schemas of what it accepts and answers
- ``migrations/``: alembic revisions of its own database
"""
SERVICE_NAMES = ("directory", "calendar", "distribution", "complaints")
