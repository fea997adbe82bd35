"""One base exception for every failure the user should see as one line."""


class MaritimeError(Exception):
    """An expected failure: the CLI prints its message and exits non-zero."""


class ConfigError(MaritimeError):
    """Settings are missing or invalid."""


class StoreError(MaritimeError):
    """The database cannot be reached, is locked, or is not at the expected schema."""


class FeedError(MaritimeError):
    """A feed (file, stream, archive) cannot be read."""
