"""Bearer authentication: JWT verification and the principal it yields."""
