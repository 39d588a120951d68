"""The base class of every document model: the same to_dict()/from_dict() face as the wire
models, immutability, and the schema rules that are not expressible as types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator


@dataclass(frozen=True)
class DocumentRules:
    """Assertions of a JSON Schema that a type cannot carry, checked on the raw input.

    any_of_required: at least one of these name groups must be fully present.
    forbidden: none of these names may be present.
    required_when: (name, value, required names): if input[name] == value, require the names.
    required_members: (name, member names): the object under name must hold these members.
    """

    any_of_required: tuple[tuple[str, ...], ...] = ()
    forbidden: tuple[str, ...] = ()
    required_when: tuple[tuple[str, Any, tuple[str, ...]], ...] = ()
    required_members: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def problems(self, data: Mapping[str, Any]) -> list[str]:
        found = []
        if self.any_of_required and not any(
            all(name in data for name in group) for group in self.any_of_required
        ):
            groups = " or ".join("+".join(group) for group in self.any_of_required)
            found.append(f"one of {groups} is required")
        found.extend(f"{name!r} must not be present" for name in self.forbidden if name in data)
        for key, value, names in self.required_when:
            if data.get(key) == value:
                found.extend(
                    f"{name!r} is required when {key} is {value!r}"
                    for name in names
                    if name not in data
                )
        for key, members in self.required_members:
            value = data.get(key)
            if isinstance(value, Mapping):
                found.extend(
                    f"{key!r} must contain {member!r}" for member in members if member not in value
                )
        return found


def _reveal(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {key: _reveal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_reveal(item) for item in value]
    return value


class DocumentModel(BaseModel):
    """A document validated against its schema; immutable once built."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)
    __document_rules__: ClassVar[DocumentRules] = DocumentRules()

    @model_validator(mode="before")
    @classmethod
    def _check_document_rules(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            problems = cls.__document_rules__.problems(data)
            if problems:
                raise ValueError("; ".join(problems))
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Validate a decoded JSON object (raises pydantic.ValidationError)."""
        return cls.model_validate(data)

    def __repr_args__(self) -> Any:
        # Only the members that are set: a new reader sees the document, not the schema.
        for name, value in super().__repr_args__():
            if value is not None:
                yield name, value

    def to_dict(self) -> dict[str, Any]:
        """The JSON object again: wire names, only the members that were set, secrets revealed."""
        dumped: dict[str, Any] = self.model_dump(mode="python", by_alias=True, exclude_unset=True)
        revealed: dict[str, Any] = _reveal(dumped)
        return revealed
