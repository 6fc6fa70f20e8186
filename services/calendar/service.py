"""Calendar service entrypoints."""
from services.calendar import models
from shared.db import Database
from shared.service import HealthCheck


class CalendarService(HealthCheck):
    name = "calendar"
    db = Database(models)
