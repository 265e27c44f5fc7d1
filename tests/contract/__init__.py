"""Contract tests: the assembled service app against the hand-written spec."""
