"""Safety events: each time the crisis card was shown, kept for the person and their clinicians."""
