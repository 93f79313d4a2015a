"""The pure core: plain values and functions; no database, no clock, no network."""
