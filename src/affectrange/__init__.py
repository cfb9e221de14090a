"""AffectRange: daily emotional-range check-ins, questionnaires and analysis."""
