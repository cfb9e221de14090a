"""The medication timeline: starts, dose changes and stops, named from the catalogue."""
