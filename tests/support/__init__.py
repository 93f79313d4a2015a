"""Test support: loopback servers and helpers the tests and benchmarks share."""
