"""Calendar service."""
