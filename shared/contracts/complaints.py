"""Events published by the complaints service."""
