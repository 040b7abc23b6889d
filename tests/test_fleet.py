"""``scripts/fleet.py``: where a fleet of services stands against the template's releases."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.fleet import main
from scripts.releases import ROOT, sections
from tests.template import render

RELEASES = [section.version for section in sections((ROOT / "CHANGELOG.md").read_text())]


def service(folder: Path, commit: str, **answers: object) -> Path:
    folder.mkdir(parents=True)
    lines = [f"_commit: {commit}", "_src_path: gh:acme/template"]
    lines += [f"{key}: {value}" for key, value in answers.items()]
    (folder / ".copier-answers.yml").write_text("\n".join(lines) + "\n")
    return folder


def test_each_service_with_its_release_answers_and_the_releases_it_is_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newest, previous, older = RELEASES[:3]
    orders = service(tmp_path / "orders", older, database="postgres", broker="kafka")
    billing = service(tmp_path / "billing", f"{previous}-4-g1a2b3c4", database="mongo")
    current = service(tmp_path / "current", newest, database="postgres", cache="none")

    assert main([str(orders), str(billing), str(current)]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["service", "release", "answers", "behind"]
    rows = {line.split()[0]: line for line in out[1:] if line[:1].strip()}
    assert f" {older} " in rows["orders"]
    assert "broker=kafka" in rows["orders"]
    assert "database=postgres" not in rows["orders"], "the default is left out"
    assert rows["orders"].rstrip().split("  ")[-1].startswith(f"{newest}: ")
    # orders is behind the newest and the previous release; billing, on a commit after the
    # previous one, only behind the newest.
    assert len([line for line in out if f"{previous}: " in line]) == 1
    assert len([line for line in out if f"{newest}: " in line]) == 2
    assert "database=mongo" in rows["billing"]
    assert rows["current"].endswith("up to date")
    assert "cache=none" in rows["current"]


def test_a_rendered_service_reads_as_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = render(tmp_path / "svc", skip_tasks=True)

    assert main([str(project)]) == 0

    row = capsys.readouterr().out.splitlines()[1]
    assert row.startswith("svc ")
    assert " defaults " in row
    assert "not a release: the newest is" in row, "rendered from a commit that is no release"


def test_several_answers_files_in_one_checkout_are_each_a_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = service(tmp_path / "shop", RELEASES[0], database="postgres")
    (folder / ".copier-answers.resource-products.yml").write_text(f"_commit: {RELEASES[1]}\n")

    assert main([str(folder)]) == 0

    out = capsys.readouterr().out
    assert "shop (resource-products)" in out


def test_what_is_no_service_gets_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = service(tmp_path / "good", RELEASES[0])
    (tmp_path / "empty").mkdir()
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd/.copier-answers.yml").write_text("name: hand-written\n")

    code = main([str(good), str(tmp_path / "empty"), str(tmp_path / "odd"), str(tmp_path / "gone")])

    assert code == 1
    captured = capsys.readouterr()
    assert "good" in captured.out
    assert "empty: not a rendered service (no .copier-answers*.yml in it)" in captured.err
    assert "odd/.copier-answers.yml: not rendered by Copier (no _commit recorded)" in captured.err
    assert "gone: no such file or directory" in captured.err
