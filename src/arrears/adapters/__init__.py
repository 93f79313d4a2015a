"""Adapters: the outside world (files, the store, channels, providers) turned into domain values."""
