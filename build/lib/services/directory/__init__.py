"""Directory: the members of a Bakohumas forum, their hierarchy, officers, channels and API keys."""
