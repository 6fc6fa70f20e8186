"""Route modules: one mixin of gateway endpoints per service, composed in ``gateway.service``."""
