"""Benchmarks: ``python -m bench [name ...]`` (or ``make bench``) starts what it measures and prints figures."""
