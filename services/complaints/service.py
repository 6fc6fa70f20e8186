"""Complaints service entrypoints."""
from services.complaints import models
from shared.db import Database
from shared.service import HealthCheck


class ComplaintsService(HealthCheck):
    name = "complaints"
    db = Database(models)
