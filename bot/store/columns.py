"""Column types: a StrEnum stored as its plain string, so a typed state needs no data migration."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

E = TypeVar("E", bound=StrEnum)


class StoredEnum(TypeDecorator[E], Generic[E]):
    """A VARCHAR holding a StrEnum's value; reads come back as members, writes take members or their strings.

    A value outside the enum is refused when written (ValueError), so a typo cannot reach the table; in the database
    the column stays the VARCHAR it always was, without a CHECK constraint, so adding a member needs no migration.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum
        self.length = length
        self.members = enum._value2member_map_

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """The member's string; a plain string must name a member."""
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        """The member a stored string names."""
        if value is None:
            return None
        member = self.members.get(value)
        if member is None:
            raise LookupError(f"{value!r} in the database is not a {self.enum.__name__}: is an older gigbot running?")
        return member  # type: ignore[return-value]
