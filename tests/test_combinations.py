"""The combination enumerator, on a small copier.yml whose answer sets are known."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from scripts.combinations import (
    _pairs,
    _universe,
    invalid_combinations,
    pairwise,
    valid_combinations,
)

SAMPLE = """
_subdirectory: template
name:
  type: str
  default: x
styles:
  type: str
  multiselect: true
  choices:
    REST: rest
    GraphQL: graphql
    SOAP:
      value: soap
      validator: SOAP is not available yet.
  default: [rest]
  validator: "{% if not styles %}Choose at least one style.{% endif %}"
database:
  type: str
  choices: [postgres, mongo]
  default: postgres
auth:
  type: str
  choices: [jwt, none]
  default: none
algorithm:
  type: str
  when: "{{ auth == 'jwt' }}"
  choices: [HS256, RS256]
  default: HS256
cache:
  type: str
  choices: [redis, none]
  default: redis
  validator: "{% if cache == 'redis' and database == 'mongo' %}No Redis with Mongo.{% endif %}"
computed:
  type: int
  when: false
  default: 3
"""


def sample(tmp_path: Path) -> Path:
    (tmp_path / "copier.yml").write_text(SAMPLE)
    return tmp_path


def test_valid_combinations_follow_choices_conditions_and_validators(tmp_path: Path) -> None:
    combos = valid_combinations(sample(tmp_path))

    styles = [["rest"], ["graphql"], ["rest", "graphql"]]  # [] is refused by the validator
    databases_with_caches = [("postgres", "redis"), ("postgres", "none"), ("mongo", "none")]
    auths = [("none", None), ("jwt", "HS256"), ("jwt", "RS256")]
    expected = []
    for style, (database, cache), (auth, algorithm) in itertools.product(
        styles, databases_with_caches, auths
    ):
        answers = {"styles": style, "database": database, "auth": auth}
        if algorithm:
            answers["algorithm"] = algorithm
        answers["cache"] = cache
        expected.append(answers)

    def key(answers: dict[str, object]) -> str:
        return json.dumps(answers, sort_keys=True)

    assert sorted(map(key, combos)) == sorted(map(key, expected))
    assert all("name" not in answers and "computed" not in answers for answers in combos)


def test_invalid_answers_carry_their_messages(tmp_path: Path) -> None:
    refused = invalid_combinations(sample(tmp_path))
    assert ({"styles": ["soap"]}, "SOAP is not available yet.") in refused
    assert ({"styles": []}, "Choose at least one style.") in refused


def test_pairwise_covers_every_pair_with_fewer_combinations(tmp_path: Path) -> None:
    combos = valid_combinations(sample(tmp_path))
    chosen = pairwise(combos)

    universe = _universe(combos)
    every_pair = {pair for answers in combos for pair in _pairs(answers, universe)}
    covered = {pair for answers in chosen for pair in _pairs(answers, universe)}
    assert covered == every_pair
    # Each multiselect choice is a factor of its own, met both chosen and left out.
    graphql_alone = (("styles.graphql", "true"), ("styles.rest", "false"))
    assert graphql_alone in covered
    assert len(chosen) < len(combos)
    assert all(answers in combos for answers in chosen)

    with_every_style = pairwise(combos, every_value_of=("styles",))
    assert with_every_style[: len(chosen)] == chosen
    assert {json.dumps(a["styles"]) for a in with_every_style} == {
        json.dumps(a["styles"]) for a in combos
    }


def test_the_templates_defaults_are_a_valid_combination() -> None:
    combos = valid_combinations()
    assert {
        "python_version": "3.13",
        "api_styles": ["rest"],
        "database": "postgres",
        "cache": "redis",
        "broker": "none",
        "auth": "none",
        "service_discovery": "none",
        "observability": ["metrics"],
        "deployment": ["docker"],
        "ci_provider": "github",
    } in combos
