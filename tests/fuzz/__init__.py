"""Tests of the fuzz harness itself: a server broken on purpose must make `make fuzz` fail."""
