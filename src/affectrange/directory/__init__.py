"""The therapist finder: a directory shaped after FHIR Plan-Net, its importers and search."""
