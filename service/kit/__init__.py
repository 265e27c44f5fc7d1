"""Cross-cutting pieces every domain uses; nothing here imports a domain."""
