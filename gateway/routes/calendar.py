"""Calendar endpoints."""


class CalendarRoutes:
    pass
