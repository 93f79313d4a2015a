"""The ``arrears`` command line."""
