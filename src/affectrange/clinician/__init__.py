"""The clinician's side: the dashboard of people who share, and each person's shared record."""
