"""The appointment preparation sheet: the person's own questions and a printable summary of
what changed, their scores, their medication timeline and the goals they kept."""
