"""The one error a query can raise while being read."""

from __future__ import annotations


class QuerySyntaxError(ValueError):
    """A query that cannot be read, with the 1-based column of the problem.

    ``str(error)`` reads like ``expected ')' at column 17``. It is a ``ValueError`` so that
    configuration validators report it as an invalid value.
    """

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message, column)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return f"{self.message} at column {self.column}"
