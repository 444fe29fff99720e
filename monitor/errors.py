"""Errors the core raises, each with a message a user can act on."""

from __future__ import annotations


class MonitorError(Exception):
    """Base class of brand-monitor's own errors."""


class ConfigError(MonitorError):
    """The configuration is missing, unreadable or invalid; the message names the key."""


class DatabaseError(MonitorError):
    """The database cannot be reached or is not at the expected schema."""


class NotFoundError(MonitorError):
    """A requested object does not exist."""


class ConflictError(MonitorError):
    """The request conflicts with the stored state (e.g. a duplicate name)."""


class InvalidInputError(MonitorError):
    """A value given by a user is not acceptable; the message says why."""
