"""Tests of the order service, through HTTP, against SQLite and (with TEST_DATABASE_URL) PostgreSQL."""
