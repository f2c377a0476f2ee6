"""Errors a user can cause: they carry a catalog key and become a translated reply."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """A mistake the user can fix; `key` names the catalog message, `params` fill it."""

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class FieldErrors(UserError):
    """Several invalid fields at once; each field keeps its own message."""

    def __init__(self, errors: dict[str, UserError]) -> None:
        super().__init__("errors.fields", count=len(errors))
        self.errors = errors
