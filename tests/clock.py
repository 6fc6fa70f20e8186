"""The one place a test reads the wall clock (tests/unit/test_architecture.py fails on any other).

A test of rules passes ``PINNED_NOW`` (or a time built from it): what it checks then holds at any
hour. A test that talks to something reading the real clock itself (a running stack, a webhook
verifier's tolerance, a one-time code) asks ``wall_now()`` and builds only times *relative* to it,
far enough from the hour and the day that the hour it runs at cannot change the answer.
"""
from datetime import datetime, timezone

# Wednesday 9 December 2026, 10:00 WITA: a working day, mid-morning in every Indonesian zone.
PINNED_NOW = datetime(2026, 12, 9, 2, 0, tzinfo=timezone.utc)


def wall_now(zone=timezone.utc):
    """The real clock, aware, in ``zone``: for talking to what reads the real clock too."""
    return datetime.now(zone)
