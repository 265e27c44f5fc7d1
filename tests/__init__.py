"""Harbor's test suite."""
