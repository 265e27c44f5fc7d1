"""API versions: which version a request is answered in, the customers' pins, and the
conversions between versions that a person writes."""
