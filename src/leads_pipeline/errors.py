"""Errors a user can act on. Each message says what is wrong and what to do."""


class LeadsError(Exception):
    """Base for errors the CLI reports as one line and a non-zero exit code."""

    exit_code = 1


class ConfigError(LeadsError):
    """A setting, the source registry or a profile is wrong."""

    exit_code = 2


class BucketError(LeadsError):
    """The bucket cannot be listed or read (missing, unreachable, bad credentials)."""

    exit_code = 3


class LockedError(LeadsError):
    """Another run holds the database."""

    exit_code = 4


class TransformError(LeadsError):
    """dbt failed to build a model."""

    exit_code = 5


class FileRejected(LeadsError):
    """One file cannot be loaded at all; the other files still load."""
