"""Payment orders: creation, reading, cancellation and listing."""
