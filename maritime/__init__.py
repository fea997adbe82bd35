"""Black Sea maritime patrol and port security monitor."""

__version__ = "0.1.0"
