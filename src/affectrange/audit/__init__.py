"""The audit log: every read or change of a person's data by anyone else, and every export."""
