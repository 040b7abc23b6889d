"""Naming helpers and validators for project, slug and package names."""

from __future__ import annotations

import json
import keyword
import re
import sys
import unicodedata
from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")

# Every top-level module and distribution of every dependency a render can have
# (``scripts/reserved_names.py`` writes the file; a template test keeps it current).
RESERVED = json.loads((Path(__file__).with_name("reserved_names.json")).read_text())
DEPENDENCY_MODULES = frozenset(RESERVED["modules"])
DEPENDENCY_DISTRIBUTIONS = frozenset(RESERVED["distributions"])
# Folders of the rendered project that are importable too.
PROJECT_PACKAGES = frozenset({"tests", "migrations", "protos", "scripts"})
# Words YAML 1.1 reads as booleans or null: a slug like these breaks the manifests it names.
YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
# Kubernetes names (labels, services) are DNS labels: at most 63 characters.
MAX_SLUG_LENGTH = 63


def slugify(name: str) -> str:
    """'My Service' -> 'my-service': ASCII, lower case, words joined by dashes."""
    ascii_name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug.lstrip("0123456789-") or "service"


def to_package(slug: str) -> str:
    """'my-service' -> 'my_service'."""
    return str(slug).replace("-", "_")


def to_class_prefix(slug: str) -> str:
    """'my-service' -> 'MyService'."""
    return "".join(part.capitalize() for part in str(slug).split("-") if part)


def quoted(text: object) -> str:
    """A double-quoted string literal valid in Python, TOML and YAML alike."""
    return json.dumps(str(text), ensure_ascii=False)


def project_name_error(name: object) -> str:
    """An error message for a bad project name, or '' when it is fine."""
    text = str(name) if name is not None else ""
    if not text.strip():
        return "The project name must not be empty."
    if not text.isprintable():
        return "The project name must contain printable characters only (no tabs or newlines)."
    if text != text.strip():
        return "The project name must not start or end with spaces."
    if len(text) > 80:
        return "The project name must be at most 80 characters long."
    if "<" in text or ">" in text:
        return "The project name must not contain '<' or '>' (it titles HTML pages)."
    return ""


def person_error(text: object, what: str) -> str:
    """An error message for a bad author name or e-mail, or '' when it is fine."""
    value = str(text) if text is not None else ""
    if not value.isprintable():
        return f"The {what} must be one line of printable characters."
    return ""


def slug_error(slug: object) -> str:
    """An error message for a bad project slug, or '' when it is fine."""
    text = str(slug) if slug is not None else ""
    if not SLUG_PATTERN.match(text):
        return (
            f"'{text}' is not a valid slug: use lower-case letters, digits and dashes, "
            "starting with a letter (for example 'my-service')."
        )
    if text.endswith("-") or "--" in text:
        return f"'{text}' is not a valid slug: no trailing or doubled dashes."
    if len(text) > MAX_SLUG_LENGTH:
        return (
            f"'{text}' is too long: a slug names Kubernetes objects, "
            f"{MAX_SLUG_LENGTH} characters at most."
        )
    if text in YAML_WORDS:
        return f"'{text}' reads as a boolean or null in YAML files; pick another slug."
    if text in DEPENDENCY_DISTRIBUTIONS:
        return (
            f"'{text}' is the name of a dependency of the service, "
            "which would then depend on itself."
        )
    return ""


def package_name_error(package: object) -> str:
    """An error message for a bad Python package name, or '' when it is fine."""
    text = str(package) if package is not None else ""
    if not text.isidentifier() or not text.isascii():
        return (
            f"'{text}' is not a valid Python identifier "
            "(letters, digits and '_', not starting with a digit)."
        )
    if text != text.lower():
        return f"'{text}' must be lower case (PEP 8 package names)."
    if keyword.iskeyword(text) or keyword.issoftkeyword(text):
        return f"'{text}' is a Python keyword and cannot name a package."
    if text in sys.stdlib_module_names:
        return f"'{text}' is a standard-library module; a package of that name would shadow it."
    if text in DEPENDENCY_MODULES:
        return (
            f"'{text}' is a module of a dependency of the service; "
            "a package of that name would shadow it."
        )
    if text in PROJECT_PACKAGES:
        return f"'{text}' is a folder of the rendered project; pick another name."
    return ""


class NamingExtension(Extension):
    """Exposes the naming helpers and validators as Jinja filters."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(
            slugify=slugify,
            quoted=quoted,
            to_package=to_package,
            to_class_prefix=to_class_prefix,
            project_name_error=project_name_error,
            slug_error=slug_error,
            package_name_error=package_name_error,
            person_error=person_error,
        )
