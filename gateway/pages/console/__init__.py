"""The console: the pages officers sign in to (``session`` holds the plumbing every page uses)."""
