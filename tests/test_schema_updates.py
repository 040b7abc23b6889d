"""Options that own tables come and go by ``copier update``, on a real PostgreSQL: after each
update, ``alembic upgrade heads`` (the documented command) brings the schema to a fresh
render's at the same answers, keeps every row, and leaves the documented heads."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Servers
from tests.test_update import (
    LAST_RELEASE,
    NEXT_RELEASE,
    commit_all,
    copy,
    git,
    release_all,
    update,
)

pytestmark = pytest.mark.suite

# The heads `alembic heads` lists at each set of answers: the service branch (here the
# team's own migration on top of 0001), and one branch per option that owns tables.
OPTION_HEADS = {"auth": "0002", "broker": "0004"}
OPTION_TABLES = {"auth": {"accounts", "refresh_tokens"}, "broker": {"outbox", "inbox"}}
OFF = {"auth": "none", "broker": "none"}

TEAM_MIGRATION = '''"""Seed the operators' user.

Revision ID: 5eed00000001
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5eed00000001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO users (id, email, name, is_active, created_at, updated_at) VALUES "
        "('00000000-0000-4000-8000-000000000001', 'ops@example.com', 'Operators', true, "
        "now(), now())"
    )


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE email = 'ops@example.com'")
'''

ROWS = {
    "users": "INSERT INTO users VALUES ('00000000-0000-4000-8000-000000000002', "
    "'ada@example.com', 'Ada', true, now(), now())",
    "orders": "INSERT INTO orders VALUES ('00000000-0000-4000-8000-000000000003', "
    "'00000000-0000-4000-8000-000000000002', 'tea', 2, 350, now())",
    "accounts": "INSERT INTO accounts VALUES ('00000000-0000-4000-8000-000000000002', "
    "'$2b$12$hash', 'admin')",
    "outbox": "INSERT INTO outbox (id, type, data, occurred_at) VALUES "
    "('00000000-0000-4000-8000-000000000004', 'user.created', '{}', now())",
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The last release as published, then this tree as the next one."""
    return release_all(tmp_path_factory.mktemp("published"), [LAST_RELEASE])


class Service:
    """A rendered service on a database of its own, driven as its team would."""

    def __init__(self, project: Path, database: str) -> None:
        self.project = project
        self.database = database
        self.env = {**os.environ, "DATABASE_URL": database, "UV_PYTHON_DOWNLOADS": "never"}
        self.env.pop("VIRTUAL_ENV", None)

    def run(self, *command: str) -> str:
        done = subprocess.run(
            command, cwd=self.project, env=self.env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout + done.stderr

    def alembic(self, *arguments: str) -> str:
        return self.run("uv", "run", "--no-sync", "alembic", *arguments)

    def sql(self, query: str) -> str:
        return self.run("psql", self.database, "-tAc", query).strip()

    def migrate(self) -> str:
        """Installs what the answers bring, then the documented upgrade."""
        self.run("uv", "sync", "--quiet")
        return self.alembic("upgrade", "heads")

    def counts(self) -> dict[str, int]:
        tables = self.sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT LIKE 'alembic%'"
        ).split()
        return {table: int(self.sql(f"SELECT count(*) FROM {table}")) for table in tables}

    def heads(self) -> set[str]:
        return {line.split()[0] for line in self.alembic("heads").splitlines() if line.strip()}

    def change(self, version: str, **answers: str) -> str:
        """``copier update`` to ``version`` with ``answers`` changed, committed as the team
        would, then migrated; returns the migration's output."""
        update(self.project, version, **answers)
        conflicted = subprocess.run(
            ["git", "grep", "-l", "^<<<<<<< "], cwd=self.project, capture_output=True, text=True
        )
        assert conflicted.stdout == "", "the update left conflicts"
        commit_all(self.project, f"update: {answers}")
        return self.migrate()


def start(
    template: Path, tmp_path: Path, servers: Servers, version: str, **answers: str
) -> Service:
    project = copy(template, version, tmp_path / "svc", cache="none", observability=[], **answers)
    service = Service(project, servers.new_database())
    service.migrate()
    return service


def insert_rows(service: Service, answers: dict[str, str]) -> None:
    """A row in every table the answers have."""
    for table, insert in ROWS.items():
        owner = next((option for option, tables in OPTION_TABLES.items() if table in tables), None)
        if owner is None or answers.get(owner, "none") != "none":
            service.sql(insert)


def with_data(service: Service, answers: dict[str, str], *, team_migration: bool) -> str:
    """Rows in every table and, if asked, a migration of the team's own on the service
    branch; returns the service branch's head."""
    insert_rows(service, answers)
    if not team_migration:
        return "0001"
    (service.project / "migrations/versions/5eed00000001_seed.py").write_text(TEAM_MIGRATION)
    commit_all(service.project, "seed the operators' user")
    service.migrate()
    return "5eed00000001"


def assert_matches_a_fresh_render(service: Service, answers: dict[str, str], head: str) -> None:
    service.alembic("check")  # fails on any difference between the models and the schema
    on = {OPTION_HEADS[option] for option in OPTION_HEADS if answers.get(option, "none") != "none"}
    assert service.heads() == {head, *on}


@pytest.mark.parametrize(
    ("first", "added", "then_removed", "team_migration"),
    [
        ({"broker": "rabbitmq"}, {"auth": "jwt"}, "broker", True),
        ({"auth": "jwt"}, {"broker": "kafka"}, "auth", False),
    ],
    ids=["broker-then-auth-with-a-team-migration", "auth-then-broker"],
)
def test_options_with_tables_are_added_and_removed_in_any_order(
    template: Path,
    tmp_path: Path,
    servers: Servers,
    first: dict[str, str],
    added: dict[str, str],
    then_removed: str,
    team_migration: bool,
) -> None:
    service = start(template, tmp_path, servers, NEXT_RELEASE, **first)
    answers = dict(first)
    head = with_data(service, answers, team_migration=team_migration)
    assert_matches_a_fresh_render(service, answers, head)
    rows = service.counts()

    answers |= added
    service.change(NEXT_RELEASE, **added)
    assert_matches_a_fresh_render(service, answers, head)
    assert service.counts().items() >= rows.items(), "every row is still there"

    rows = service.counts()
    answers[then_removed] = "none"
    output = service.change(NEXT_RELEASE, **{then_removed: "none"})
    assert_matches_a_fresh_render(service, answers, head)
    assert service.counts() == rows, "the removed option's tables and rows stay"
    kept = ", ".join(sorted(OPTION_TABLES[then_removed]))
    assert re.search(rf"revision {OPTION_HEADS[then_removed]} .*\({kept}\)", output), output

    answers[then_removed] = (first | added)[then_removed]
    output = service.change(NEXT_RELEASE, **{then_removed: answers[then_removed]})
    assert_matches_a_fresh_render(service, answers, head)
    assert service.counts() == rows, "the option is back with its rows"
    assert "is back" in output


@pytest.mark.parametrize(
    ("before", "added"),
    [({"broker": "rabbitmq"}, {"auth": "jwt"}), ({"auth": "jwt", "broker": "kafka"}, {})],
    ids=["add-auth-to-a-broker-service", "auth-and-broker"],
)
def test_a_database_of_the_last_release_upgrades_with_any_answers(
    template: Path, tmp_path: Path, servers: Servers, before: dict[str, str], added: dict[str, str]
) -> None:
    """The last release chained the template's migrations in one line: adding sign-in to a
    service with a broker left its accounts table out. Updating to this release fixes both
    that and any answer changed with it."""
    service = start(template, tmp_path, servers, LAST_RELEASE[0], **before)
    insert_rows(service, before)
    rows = service.counts()

    answers = before | added
    service.change(NEXT_RELEASE, **added)

    service.alembic("check")
    on = {OPTION_HEADS[option] for option in OPTION_HEADS if answers.get(option, "none") != "none"}
    assert service.heads() == {"0001", *on}
    assert service.counts().items() >= rows.items()


def test_a_team_migration_that_follows_a_removed_option_is_named(
    template: Path, tmp_path: Path, servers: Servers
) -> None:
    """Written on a release whose chain ran through the events: turning the broker off
    takes the revision it follows away, and the upgrade says which file to change."""
    service = start(template, tmp_path, servers, NEXT_RELEASE, broker="rabbitmq")
    follows_the_events = TEAM_MIGRATION.replace('"0001"', '"0004"').replace(
        "Revises: 0001", "Revises: 0004"
    )
    (service.project / "migrations/versions/5eed00000001_seed.py").write_text(follows_the_events)
    commit_all(service.project, "seed the operators' user")
    service.migrate()

    update(service.project, NEXT_RELEASE, broker="none")
    service.run("uv", "sync", "--quiet")
    failed = subprocess.run(
        ["uv", "run", "--no-sync", "alembic", "upgrade", "heads"],
        cwd=service.project,
        env=service.env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert failed.returncode != 0
    assert "5eed00000001_seed.py follows revision 0004" in failed.stderr
    assert 'down_revision = "0001"' in failed.stderr


def test_changing_the_database_by_update_is_refused(template: Path, tmp_path: Path) -> None:
    project = copy(template, NEXT_RELEASE, tmp_path / "svc")
    before = git(project, "status", "--porcelain")

    with pytest.raises(ValueError, match=r"rendered with database=postgres.*cannot change"):
        update(project, NEXT_RELEASE, database="mongo")

    assert git(project, "status", "--porcelain") == before
    assert "database: postgres" in (project / ".copier-answers.yml").read_text()


START_AND_LIST_INDEXES = """
import asyncio, json
from my_service.adapters.mongo.client import connect
from my_service.settings.mongo import MongoSettings

async def main():
    async with connect(MongoSettings()):
        pass  # the service's start-up creates the indexes of its answers
    from pymongo import AsyncMongoClient
    client = AsyncMongoClient(MongoSettings().url)
    database = client.get_default_database()
    found = {}
    for name in await database.list_collection_names():
        indexes = await (await database[name].list_indexes()).to_list()
        found[name] = {
            "indexes": sorted(index["name"] for index in indexes),
            "documents": await database[name].count_documents({}),
        }
    await client.close()
    print(json.dumps(found))

asyncio.run(main())
"""


def test_on_mongodb_an_update_brings_the_indexes_of_the_new_answers(
    template: Path, tmp_path: Path, servers: Servers
) -> None:
    project = copy(
        template, NEXT_RELEASE, tmp_path / "svc", database="mongo", cache="none", observability=[]
    )
    service = Service(project, "")
    service.env["MONGODB_URL"] = servers.new_mongo_database()

    def started() -> dict[str, Any]:
        service.run("uv", "sync", "--quiet")
        listed = service.run("uv", "run", "--no-sync", "python", "-c", START_AND_LIST_INDEXES)
        return dict(json.loads(listed.strip().splitlines()[-1]))

    before = started()
    assert "refresh_tokens" not in before
    service.run(
        "uv",
        "run",
        "--no-sync",
        "python",
        "-c",
        "from pymongo import MongoClient; from my_service.settings.mongo import MongoSettings; "
        "MongoClient(MongoSettings().url).get_default_database().users.insert_one("
        "{'email': 'ada@example.com', 'name': 'Ada'})",
    )

    update(project, NEXT_RELEASE, auth="jwt", broker="kafka")
    commit_all(project, "sign-in and events")
    after = started()

    assert after["users"]["documents"] == 1
    assert "ttl_refresh_tokens_expires_at" in after["refresh_tokens"]["indexes"]
    assert "ix_outbox_pending" in after["outbox"]["indexes"]
    assert "ix_inbox_handled_at" in after["inbox"]["indexes"]
