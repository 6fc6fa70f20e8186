"""Operator tooling of Bakohumas Hub: the ``bakohumas`` command and the local stack runner."""
