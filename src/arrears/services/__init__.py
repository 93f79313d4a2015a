"""Use cases: what the application does, composed from the domain and the adapters."""
