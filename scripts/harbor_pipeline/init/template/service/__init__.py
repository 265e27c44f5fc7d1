"""The service: the handlers of the Protocols in generated/, and the app that wires them."""
