"""The transactional outbox: events written with the change they announce, delivered later."""
