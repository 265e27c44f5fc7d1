"""`make audit`: known vulnerabilities in the locked Python and npm dependencies."""
