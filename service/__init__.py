"""Harbor Payments order service: implements the generated Protocols and wires one ASGI app."""
