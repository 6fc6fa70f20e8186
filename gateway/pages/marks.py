"""The catalogs' mark for a string a page builds in Python (``pybabel extract`` finds ``N_``)."""


def N_(text):
    """Marks a string for the catalogs; it is translated where it is shown (``PAGES.gettext``)."""
    return text
