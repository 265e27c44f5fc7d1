"""`make bench-http`: Harbor against hand-written FastAPI apps, connexion and raw Starlette,
under wrk, in one run (see bench/results/README.md)."""
