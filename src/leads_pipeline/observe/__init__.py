"""What operators see: alerts and their sinks, `leads status`, and the redaction of secrets."""
