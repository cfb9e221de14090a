"""Own your data: the whole record exported (FHIR R4, CSV) and imported again."""
