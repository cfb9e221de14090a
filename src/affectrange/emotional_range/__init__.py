"""My emotional range: the analysis of a person's check-ins and medication timeline, shown."""
