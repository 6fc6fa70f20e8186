"""The forum's public face, served at ``/``: news, agencies, the public agenda, complaint tracking.

Every page reads through the same RPC operations as the JSON API's public routes, and shows only
what those already make public.
"""
