"""Notifications service: tells officers and reporters what concerns them, by mail and WhatsApp."""
