"""Hand-written servers of the same API, for `make bench-http`: FastAPI (ORM and asyncpg),
connexion and raw Starlette. None of them uses the generator; all do Harbor's work per request."""
