"""Complaints service."""
