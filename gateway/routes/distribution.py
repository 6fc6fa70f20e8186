"""Distribution endpoints."""


class DistributionRoutes:
    pass
