"""Every answer set the template accepts, derived from copier.yml, and the ones it refuses.

    uv run python -m scripts.combinations            # counts, then one valid set per line
    uv run python -m scripts.combinations --pairwise # the covering set the suites run

Only questions with choices take part; free-text and numeric questions keep their defaults.
A choice with a ``validator`` is not available yet: answers naming it are invalid, and so
are answers that a question's own validator refuses. ``when`` conditions are evaluated, so
a conditional question appears only in the combinations that ask it.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, Template

from extensions.history import HistoryExtension
from extensions.naming import NamingExtension
from extensions.tuning import TuningExtension

ROOT = Path(__file__).resolve().parents[1]

Answers = dict[str, Any]


def questions(root: Path = ROOT) -> dict[str, dict[str, Any]]:
    config = yaml.safe_load((root / "copier.yml").read_text())
    return {key: value for key, value in config.items() if not key.startswith("_")}


def choices(question: dict[str, Any]) -> tuple[list[Any], dict[Any, str]]:
    """The enabled values of a question, and the disabled ones with their messages."""
    enabled: list[Any] = []
    disabled: dict[Any, str] = {}
    raw = question.get("choices", [])
    values = raw.values() if isinstance(raw, dict) else raw
    for value in values:
        if isinstance(value, dict):
            if value.get("validator"):
                disabled[value["value"]] = value["validator"]
            else:
                enabled.append(value["value"])
        else:
            enabled.append(value)
    return enabled, disabled


_jinja = Environment(extensions=[NamingExtension, TuningExtension, HistoryExtension])


@functools.cache
def _compiled(template: str) -> Template:
    return _jinja.from_string(template)


def _render(template: str, answers: Answers) -> str:
    return _compiled(str(template)).render(answers).strip()


def _asked(question: dict[str, Any], answers: Answers) -> bool:
    when = question.get("when", True)
    if isinstance(when, bool):
        return when
    return _render(when, answers).lower() in {"true", "1", "yes"}


def _options(question: dict[str, Any]) -> list[Any]:
    enabled, _ = choices(question)
    if not question.get("multiselect"):
        return enabled
    # The empty selection too: a question's own validator refuses it where it must.
    return [
        list(subset)
        for size in range(len(enabled) + 1)
        for subset in itertools.combinations(enabled, size)
    ]


RESOURCE_MODE = "resource != ''"
"""What the ``when`` of the resource generator's questions says: they are asked of a resource
added to a service, never of a service, so they take no part in its combinations."""


def _choice_questions(root: Path = ROOT) -> dict[str, dict[str, Any]]:
    return {
        key: question
        for key, question in questions(root).items()
        if "choices" in question
        and question.get("when") is not False
        and RESOURCE_MODE not in str(question.get("when", ""))
    }


def choice_keys(root: Path = ROOT) -> list[str]:
    """The questions that take part in the combinations."""
    return list(_choice_questions(root))


def _refusal(key: str, question: dict[str, Any], answers: Answers) -> str:
    validator = question.get("validator")
    return _render(validator, answers) if validator else ""


def valid_combinations(root: Path = ROOT) -> list[Answers]:
    """Every accepted answer set over the choice questions, in copier.yml order."""
    combos: list[Answers] = [{}]
    for key, question in _choice_questions(root).items():
        grown: list[Answers] = []
        for answers in combos:
            if not _asked(question, answers):
                grown.append(answers)
                continue
            for value in _options(question):
                candidate = {**answers, key: value}
                if not _refusal(key, question, candidate):
                    grown.append(candidate)
        combos = grown
    return combos


def invalid_combinations(root: Path = ROOT) -> list[tuple[Answers, str]]:
    """Answer sets that must be refused, each with (part of) the message it must give."""
    refused: list[tuple[Answers, str]] = []
    for key, question in _choice_questions(root).items():
        _, disabled = choices(question)
        for value, message in disabled.items():
            answer = [value] if question.get("multiselect") else value
            refused.append(({key: answer}, message))
        if question.get("validator"):
            for value in _options(question):
                message = _render(question["validator"], {key: value})
                if message:
                    refused.append(({key: value}, message))
    return refused


Factor = tuple[str, str]


def _factors(answers: Answers, universe: dict[str, list[str]]) -> list[Factor]:
    """The answers as factors: a plain answer is one factor, a multiselect answer one
    in-or-out factor per choice (so that each choice meets every other option)."""
    factors = []
    for key, value in sorted(answers.items()):
        if isinstance(value, list):
            factors += [
                (f"{key}.{choice}", json.dumps(choice in value)) for choice in universe[key]
            ]
        else:
            factors.append((key, json.dumps(value)))
    return factors


# Questions each of whose answers gets a rendered suite of its own, beyond the pairs.
SUITE_EVERY_VALUE_OF = ("api_styles",)


def _universe(combos: list[Answers]) -> dict[str, list[str]]:
    """Every choice seen in each multiselect answer."""
    universe: dict[str, list[str]] = {}
    for answers in combos:
        for key, value in answers.items():
            if isinstance(value, list):
                universe[key] = sorted(set(universe.get(key, [])) | set(value))
    return universe


def _pairs(answers: Answers, universe: dict[str, list[str]]) -> set[tuple[Factor, Factor]]:
    return set(itertools.combinations(_factors(answers, universe), 2))


def pairwise(combos: list[Answers], every_value_of: tuple[str, ...] = ()) -> list[Answers]:
    """A covering subset in which every pair of factor values that occurs meets once; a
    multiselect question counts as one yes-or-no factor per choice. Each whole answer to a
    question in ``every_value_of`` (each subset of a multiselect, say) also appears once.

    Greedy: repeatedly take the combination that covers the most uncovered pairs.
    """
    universe = _universe(combos)
    # Each pair of factor values is a bit: a combination's pairs are one integer, and the
    # uncovered pairs it would cover are counted with one AND and a popcount.
    bits: dict[tuple[Factor, Factor], int] = {}
    masks = []
    for answers in combos:
        mask = 0
        for pair in _pairs(answers, universe):
            mask |= 1 << bits.setdefault(pair, len(bits))
        masks.append(mask)
    uncovered = (1 << len(bits)) - 1
    chosen: list[Answers] = []
    while uncovered:
        best = max(range(len(combos)), key=lambda index: (masks[index] & uncovered).bit_count())
        chosen.append(combos[best])
        uncovered &= ~masks[best]
    for key in every_value_of:
        seen = [json.dumps(answers.get(key)) for answers in chosen]
        for answers in combos:
            if json.dumps(answers.get(key)) not in seen:
                chosen.append(answers)
                seen.append(json.dumps(answers.get(key)))
    return chosen or combos[:1]


def describe(answers: Answers) -> str:
    if not answers:
        return "defaults"
    return ",".join(
        f"{key}={('+'.join(value) or '[]') if isinstance(value, list) else value}"
        for key, value in answers.items()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairwise", action="store_true", help="print the covering set only")
    args = parser.parse_args()
    valid = valid_combinations()
    covering = pairwise(valid, every_value_of=SUITE_EVERY_VALUE_OF)
    shown = covering if args.pairwise else valid
    print(
        f"{len(valid)} valid combinations, {len(invalid_combinations())} refused answers, "
        f"{len(covering)} in the pairwise covering set"
    )
    for answers in shown:
        print(describe(answers))


if __name__ == "__main__":
    main()
