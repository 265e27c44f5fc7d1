"""`make mock`: a mock server for partners, answering every operation of a spec from the spec alone."""
