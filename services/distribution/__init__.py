"""Distribution service."""
