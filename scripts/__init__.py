"""Harbor's pipeline tools, run by the Makefile."""
