"""JSON Schemas compared across two versions of a contract, in the direction the data flows.

A client *sends* a request, and a producer sends the events a service consumes: the new
schema must accept everything the old one accepted. A client *reads* a response, and a
consumer reads the events a service publishes: the new schema may hold only what the old one
promised, and all of it. Types, enumerations, required fields, bounds, patterns and formats
are compared alternative by alternative (``anyOf``/``oneOf``, how Pydantic writes an optional
field), through ``$ref``, ``allOf`` of one schema, arrays, maps and nested objects.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

KINDS = ("string", "integer", "number", "boolean", "array", "object")
NARROWER_IF_LOWER = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")
NARROWER_IF_HIGHER = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")

Schema = dict[str, Any]


class Document:
    """One side of the comparison: its schemas read with its own ``$ref`` targets."""

    def __init__(self, document: Schema) -> None:
        self.document = document

    def resolve(self, schema: Schema) -> Schema:
        """The schema a ``$ref`` (or an ``allOf`` of one schema) stands for."""
        for _ in range(32):  # a reference to a reference..., never a loop
            only = schema.get("allOf")
            if isinstance(only, list) and len(only) == 1 and isinstance(only[0], dict):
                schema = only[0]
                continue
            reference = schema.get("$ref")
            if not isinstance(reference, str) or not reference.startswith("#/"):
                return schema
            target: Any = self.document
            for part in reference[2:].split("/"):
                target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            schema = target
        return schema

    def branches(self, schema: Schema) -> list[Schema]:
        """The alternatives a value may match (``anyOf``/``oneOf``), or the schema itself."""
        schema = self.resolve(schema)
        alternatives = schema.get("anyOf") or schema.get("oneOf")
        if not alternatives:
            return [schema]
        return [branch for option in alternatives for branch in self.branches(option)]

    def branches_of(self, schema: Schema, kind: str) -> list[Schema]:
        """The alternatives of ``schema`` whose values have the JSON type ``kind``."""
        return [branch for branch in self.branches(schema) if kind in declared_types(branch)]

    def types(self, schema: Schema) -> set[str] | None:
        """The JSON types a value may have; None for any."""
        found: set[str] = set()
        for branch in self.branches(schema):
            declared = branch.get("type")
            if declared is None:
                if "const" in branch:
                    declared = json_type(branch["const"])
                elif "enum" in branch:
                    declared = [json_type(value) for value in branch["enum"]]
                else:
                    return None
            found.update([declared] if isinstance(declared, str) else declared)
        return found

    def values(self, schema: Schema) -> set[str] | None:
        """The values an enumeration allows (JSON-encoded), None when it is not one."""
        found: set[str] = set()
        for branch in self.branches(schema):
            if "enum" in branch:
                found.update(json.dumps(value) for value in branch["enum"])
            elif "const" in branch:
                found.add(json.dumps(branch["const"]))
            elif branch.get("type") != "null":
                return None
        return found or None


def declared_types(schema: Schema) -> list[str]:
    """The ``type`` of a schema, as a list (``"string"`` or ``["string", "null"]``)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    return list(declared) if isinstance(declared, list) else []


def json_type(value: object) -> str:
    """The JSON Schema type of a value written in a schema (a ``const``, an ``enum`` member)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def uncovered(kinds: set[str], by: set[str]) -> set[str]:
    """The types in ``kinds`` that ``by`` does not allow (a number may be an integer)."""
    return {kind for kind in kinds - by if not (kind == "integer" and "number" in by)}


def counterpart(branch: Schema, candidates: list[Schema]) -> Schema | None:
    """The candidate that stands for ``branch``: the only one, or the one of its title (an
    object of a union, ``Cat | Dog``)."""
    if len(candidates) == 1:
        return candidates[0]
    return next((one for one in candidates if one.get("title") == branch.get("title")), None)


def divides(step: float, multiple: float) -> bool:
    quotient = multiple / step
    return abs(quotient - round(quotient)) < 1e-9


class SchemaComparison:
    """Compares the schemas of two versions of a document, each read with its own ``$ref``
    targets; a subclass walks the document and says where each schema flows."""

    def __init__(self, old: Schema, new: Schema) -> None:
        self.old, self.new = Document(old), Document(new)
        self.comparing: set[tuple[str, int, int]] = set()
        """The schema pairs being compared further up: a recursive schema ends there."""

    def pairs(self, old: Schema, new: Schema) -> Iterator[tuple[str, Schema, Schema]]:
        """Each alternative of ``old`` with the alternative of ``new`` that stands for it."""
        seen: set[tuple[int, int]] = set()
        for kind in KINDS:
            candidates = self.new.branches_of(new, kind)
            if not candidates and kind == "integer":
                candidates = self.new.branches_of(new, "number")
            for old_branch in self.old.branches_of(old, kind):
                new_branch = counterpart(old_branch, candidates)
                if new_branch is not None and (id(old_branch), id(new_branch)) not in seen:
                    seen.add((id(old_branch), id(new_branch)))
                    yield kind, old_branch, new_branch

    def objects(self, old: Schema, new: Schema) -> tuple[list[str], list[str]]:
        """The titles of the objects only ``old`` may be, and only ``new`` may be, where
        either is a union of several (``Cat | Dog``)."""
        before = {str(one.get("title")) for one in self.old.branches_of(old, "object")}
        after = {str(one.get("title")) for one in self.new.branches_of(new, "object")}
        if len(before) < 2 and len(after) < 2:
            return [], []
        return sorted(before - after), sorted(after - before)

    def sent(self, where: str, old: Schema, new: Schema) -> Iterator[str]:
        """What a client sends: ``new`` must accept everything ``old`` accepted."""
        old, new = self.old.resolve(old), self.new.resolve(new)
        key = ("sent", id(old), id(new))
        if key in self.comparing:
            return
        self.comparing.add(key)
        try:
            yield from self._sent(where, old, new)
        finally:
            self.comparing.discard(key)

    def _sent(self, where: str, old: Schema, new: Schema) -> Iterator[str]:
        old_types, new_types = self.old.types(old), self.new.types(new)
        if new_types is not None and (old_types is None or uncovered(old_types, new_types)):
            refused = (
                "any type"
                if old_types is None
                else ", ".join(sorted(uncovered(old_types, new_types)))
            )
            yield f"{where}: no longer accepts {refused}"
        old_values, new_values = self.old.values(old), self.new.values(new)
        if new_values is not None and (old_values is None or old_values - new_values):
            refused = (
                "any value" if old_values is None else ", ".join(sorted(old_values - new_values))
            )
            yield f"{where}: no longer accepts {refused}"
        for title in self.objects(old, new)[0]:
            yield f"{where}: no longer accepts {title}"
        for kind, old_branch, new_branch in self.pairs(old, new):
            yield from self.narrowed(where, old_branch, new_branch)
            if kind == "object":
                yield from self.sent_object(where, old_branch, new_branch)
            elif kind == "array":
                old_items, new_items = old_branch.get("items", {}), new_branch.get("items", {})
                yield from self.sent(f"{where}[]", old_items, new_items)

    def narrowed(self, where: str, old: Schema, new: Schema) -> Iterator[str]:
        """The bounds ``new`` puts on a value of one JSON type that ``old`` did not."""
        for bound in NARROWER_IF_LOWER:
            if bound in new and (bound not in old or new[bound] < old[bound]):
                yield f"{where}: {bound} lowered to {new[bound]}"
        for bound in NARROWER_IF_HIGHER:
            if bound in new and (bound not in old or new[bound] > old[bound]):
                yield f"{where}: {bound} raised to {new[bound]}"
        step = new.get("multipleOf")
        if step is not None and ("multipleOf" not in old or not divides(step, old["multipleOf"])):
            yield f"{where}: must be a multiple of {step} now"
        for rule in ("pattern", "format"):
            if rule in new and new[rule] != old.get(rule):
                yield f"{where}: its {rule} is {new[rule]!r} now"

    def sent_object(self, where: str, old: Schema, new: Schema) -> Iterator[str]:
        for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
            yield f"{where}: field {name!r} is required now"
        closed = new.get("additionalProperties") is False
        new_properties = new.get("properties", {})
        for name, schema in old.get("properties", {}).items():
            if name in new_properties:
                yield from self.sent(f"{where}.{name}", schema, new_properties[name])
            elif closed:
                yield f"{where}: field {name!r} is refused now"
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if closed and old_extra is not False:
            yield f"{where}: fields it does not name are refused now"
        elif isinstance(new_extra, dict) and old_extra is not False:
            old_extra = old_extra if isinstance(old_extra, dict) else {}
            yield from self.sent(f"{where}.*", old_extra, new_extra)

    def read(self, where: str, old: Schema, new: Schema) -> Iterator[str]:
        """What a client reads: ``new`` may hold only what ``old`` promised, and all of it."""
        old, new = self.old.resolve(old), self.new.resolve(new)
        key = ("read", id(old), id(new))
        if key in self.comparing:
            return
        self.comparing.add(key)
        try:
            yield from self._read(where, old, new)
        finally:
            self.comparing.discard(key)

    def _read(self, where: str, old: Schema, new: Schema) -> Iterator[str]:
        old_types, new_types = self.old.types(old), self.new.types(new)
        if old_types is not None and (new_types is None or uncovered(new_types, old_types)):
            gained = (
                "any type"
                if new_types is None
                else ", ".join(sorted(uncovered(new_types, old_types)))
            )
            yield f"{where}: may now be {gained}"
        old_values, new_values = self.old.values(old), self.new.values(new)
        if old_values is not None and (new_values is None or new_values - old_values):
            gained = (
                "any value" if new_values is None else ", ".join(sorted(new_values - old_values))
            )
            yield f"{where}: may now be {gained}"
        for title in self.objects(old, new)[1]:
            yield f"{where}: may now be {title}"
        for kind, old_branch, new_branch in self.pairs(old, new):
            for rule in ("format", "pattern"):
                if rule in old_branch and new_branch.get(rule) != old_branch[rule]:
                    now = f"is {new_branch[rule]!r}" if rule in new_branch else "is gone"
                    yield f"{where}: its {rule} {now} now, not {old_branch[rule]!r}"
            if kind == "object":
                yield from self.read_object(where, old_branch, new_branch)
            elif kind == "array":
                old_items, new_items = old_branch.get("items", {}), new_branch.get("items", {})
                yield from self.read(f"{where}[]", old_items, new_items)

    def read_object(self, where: str, old: Schema, new: Schema) -> Iterator[str]:
        old_properties, new_properties = old.get("properties", {}), new.get("properties", {})
        required, still_required = set(old.get("required", [])), set(new.get("required", []))
        for name, schema in old_properties.items():
            if name not in new_properties:
                yield f"{where}: field {name!r} removed"
                continue
            if name in required and name not in still_required:
                yield f"{where}: field {name!r} may be missing now"
            yield from self.read(f"{where}.{name}", schema, new_properties[name])
        if old.get("additionalProperties") is False:
            # A reader that refuses unknown fields (as Pydantic's extra="forbid" does).
            for name in sorted(set(new_properties) - set(old_properties)):
                yield f"{where}: field {name!r} is new, and the old schema refuses it"
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and new_extra is not False:
            new_extra = new_extra if isinstance(new_extra, dict) else {}
            yield from self.read(f"{where}.*", old_extra, new_extra)
