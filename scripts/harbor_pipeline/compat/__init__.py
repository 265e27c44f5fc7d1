"""The SDK compatibility matrix: every released Python client against today's server (`make compat`)."""
