"""arrears: an open-source platform that gets consumer loans repaid, exactly and lawfully."""

__version__ = "0.1.0"
