"""The edges: the CLI now, the web and batch workers later."""
