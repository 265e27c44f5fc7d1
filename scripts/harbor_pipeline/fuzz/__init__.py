"""`make fuzz`: schemathesis against a live server started from a clean database."""
