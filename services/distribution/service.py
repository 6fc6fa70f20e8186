"""Distribution service entrypoints."""
from services.distribution import models
from shared.db import Database
from shared.service import HealthCheck


class DistributionService(HealthCheck):
    name = "distribution"
    db = Database(models)
