"""Questionnaires: schedules, answering, results, and their FHIR form."""
