"""Events published by the distribution service."""
