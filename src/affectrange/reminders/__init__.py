"""E-mail reminders: the daily check-in and due questionnaires, sent once each, with unsubscribe."""
