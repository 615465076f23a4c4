"""Adversarial structured answers to the logic families: contradictory numbering, oversized row objects.

Each case is a response an RL policy could find: it must score 0 (or be refused quickly), while the
reasonable right forms beside it keep scoring 1.
"""

from __future__ import annotations

import json
import time

import pytest

import guru_envs
from guru_envs import score


@pytest.fixture(scope="module")
def ordering_task():
    return guru_envs.make_dataset("guru/Logic.ordering-v0", size=1, seed=0)[0]


@pytest.fixture(scope="module")
def zebra_task():
    return guru_envs.make_dataset("guru/Logic.zebra-v0", size=1, seed=0)[0]


def _answer(body: str) -> str:
    return f"<answer>{body}</answer>"


@pytest.mark.parametrize(
    "numbers",
    [
        pytest.param("permuted", id="numbers-give-another-order"),
        pytest.param("reversed", id="numbers-count-down"),
        pytest.param("repeated", id="every-item-numbered-1"),
    ],
)
def test_ordering_numbers_that_contradict_the_listing_score_zero(ordering_task, numbers):
    """``3. owl / 1. crow / 2. hawk`` states two orders (by number and by listing): not one claim."""
    items = list(ordering_task.answer)
    n = len(items)
    labels = {
        "permuted": [2, 1, *range(3, n + 1)] if n >= 2 else [2],
        "reversed": list(range(n, 0, -1)),
        "repeated": [1] * n,
    }[numbers]
    body = "\n".join(f"{k}. {item}" for k, item in zip(labels, items))
    assert score(ordering_task, _answer(body)).reward == 0.0


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda xs: "\n".join(f"{i}. {x}" for i, x in enumerate(xs, 1)), id="numbered-lines"),
        pytest.param(lambda xs: ", ".join(f"{i}) {x}" for i, x in enumerate(xs, 1)), id="numbered-commas"),
        pytest.param(lambda xs: "\n".join(f"({i}) {x}" for i, x in enumerate(xs, 1)), id="parenthesised"),
        pytest.param(lambda xs: "\n".join(f"- {x}" for x in xs), id="bullets"),
        pytest.param(lambda xs: " -> ".join(xs), id="arrows"),
        pytest.param(json.dumps, id="json"),
    ],
)
def test_ordering_right_forms_still_score_one(ordering_task, form):
    assert score(ordering_task, _answer(form(list(ordering_task.answer)))).reward == 1.0


def _row_objects_many_rows() -> str:
    return json.dumps([{f"c{i}": 1} for i in range(8_000)])


def _row_objects_many_columns() -> str:
    return json.dumps([{f"c{i}": 1 for i in range(10_000)}])


def _house_map_many_houses() -> str:
    return json.dumps({f"House {i}": {f"c{i}": 1} for i in range(4_000)})


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(_row_objects_many_rows, id="8000-one-key-row-objects"),
        pytest.param(_row_objects_many_columns, id="one-row-object-10000-keys"),
        pytest.param(_house_map_many_houses, id="house-map-4000-houses"),
    ],
)
def test_zebra_oversized_row_objects_are_refused_fast(zebra_task, build):
    """Gathering row-object columns was rows x columns: a 115 KB answer cost 27 s of scoring."""
    response = _answer(build())
    assert len(response) > 100_000
    start = time.perf_counter()
    result = score(zebra_task, response)
    elapsed = time.perf_counter() - start
    assert result.reward == 0.0
    assert elapsed < 0.5, f"{elapsed:.2f}s to refuse a {len(response):,}-character answer"


def test_zebra_row_objects_and_house_maps_still_score_one(zebra_task):
    header, rows = zebra_task.answer["header"], zebra_task.answer["rows"]
    row_objects = [dict(zip(header, r)) for r in rows]
    house_map = {f"House {r[0]}": dict(zip(header[1:], r[1:])) for r in rows}
    assert score(zebra_task, _answer(json.dumps(row_objects))).reward == 1.0
    assert score(zebra_task, _answer(json.dumps(house_map))).reward == 1.0
    assert score(zebra_task, _answer(json.dumps({"header": header, "rows": row_objects}))).reward == 1.0
