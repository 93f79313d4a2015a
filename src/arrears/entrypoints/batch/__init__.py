"""Batch workers: the parts of big runs that spread over processes."""
