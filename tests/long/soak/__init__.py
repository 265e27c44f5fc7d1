"""The soak suite's parts: the wrk traffic mix, its records, process probes and the verdicts."""
