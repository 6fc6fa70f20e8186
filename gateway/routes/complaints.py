"""Complaints endpoints."""


class ComplaintsRoutes:
    pass
