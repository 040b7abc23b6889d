"""What a service was rendered with before: the answers an update starts from.

Read from the destination's answers file directly rather than through ``_external_data``:
that warns about a missing file, and every first copy has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from jinja2 import Environment
from jinja2.ext import Extension


def previous_answers(destination: object, answers_file: object) -> dict[str, object]:
    """The answers recorded in ``destination``; empty for a new service."""
    try:
        recorded = yaml.safe_load((Path(str(destination)) / str(answers_file)).read_text())
    except (OSError, yaml.YAMLError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def database_change_error(database: str, copier_conf: object) -> str:
    """Refuses to turn a PostgreSQL service into a MongoDB one (or back) in place: its
    repositories, migrations and data would be half of each. ``copier_conf`` is Copier's
    ``_copier_conf``; where there is none (answers checked outside Copier), there is no
    service yet either."""
    if not isinstance(copier_conf, Mapping):
        return ""
    recorded = previous_answers(copier_conf["dst_path"], copier_conf["answers_file"])
    before = recorded.get("database")
    if before is None or before == database:
        return ""
    return (
        f"This service was rendered with database={before}; an update cannot change it to "
        f"{database} (its code, migrations and data would be half of each). Keep "
        f"database={before}, or render a new service with database={database} and move "
        "the data."
    )


class HistoryExtension(Extension):
    """Exposes the check of answers against the service's recorded ones to validators."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["database_change_error"] = database_change_error
