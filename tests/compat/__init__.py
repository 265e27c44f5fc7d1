"""The SDK compatibility matrix: the scenario each released client runs (`make compat`)."""
