"""Events published by the calendar service."""
