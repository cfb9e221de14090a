"""Sharing: a person invites a clinician, chooses what is shared, and revokes at any time."""
