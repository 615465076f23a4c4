"""The logic families pass the contract kit, hostile answers score 0 fast, and generation stays bounded."""

import time

import pytest

from guru_envs.core.registry import catalog
from guru_envs.core.scoring import score
from guru_envs.logic import common, ordering, zebra
from guru_envs.logic.common import GenerationError
from guru_envs.testing import check_family, check_guru_env

GENERATORS = ["zebra", "ordering", "graph", "knights_knaves", "sudoku", "arc_procedural", "arc_agi"]


@pytest.mark.parametrize("name", GENERATORS)
def test_family_contract(name):
    checked = check_family("logic", name, seeds=range(100, 110))
    assert checked["tasks"] == 10 * catalog().family("logic", name).levels


def test_zebra_exact_match_contract():
    check_family("logic", "zebra", seeds=range(5), options={"exact_match": True})


@pytest.mark.slow
@pytest.mark.parametrize("name", GENERATORS)
def test_family_contract_many_seeds(name):
    check_family("logic", name, seeds=range(200))


@pytest.mark.parametrize("env_id", ["guru/Logic-v0", *[f"guru/Logic.{n}-v0" for n in GENERATORS]])
def test_env_contract(env_id):
    check_guru_env(env_id)


HOSTILE = {
    "many open tags": "<answer>" * 120_000,
    "huge answer": "<answer>" + "7" * 900_000 + "</answer>",
    "deep brackets in answer": "<answer>" + "[" * 400_000 + "</answer>",
    "deep braces": "<answer>" + "{" * 300_000 + "}" * 300_000 + "</answer>",
    "many pipes": "<answer>" + "|a" * 400_000 + "</answer>",
    "many commas": "<answer>" + "x, " * 300_000 + "</answer>",
    "many sentences": "<answer>" + "Bob is a knight. " * 50_000 + "</answer>",
    "many rows": "<answer>" + "1 2 3\n" * 150_000 + "</answer>",
    "huge int": "<answer>[[" + "9" * 5_000 + "]]</answer>",
    "nan and inf": "<answer>[[NaN, Infinity]]</answer>",
    "python code": "<answer>__import__('os').system('echo pwned')</answer>",
    "lambda": "<answer>(lambda: [[1]])()</answer>",
    "big dict": "<answer>{" + ",".join(f'"k{i}": {i}' for i in range(20_000)) + "}</answer>",
    "control characters": "<answer>\x00\x01\x02\u202e\ufeff</answer>",
    "many think tags": "</think>" * 100_000 + "<answer>x</answer>",
}


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("label", list(HOSTILE))
def test_hostile_answers_score_zero_quickly(name, label):
    task = catalog().family("logic", name).sample(0, 2)
    start = time.monotonic()
    verdict = score(task, HOSTILE[label])
    assert time.monotonic() - start < 2.0, f"{name} took too long on {label}"
    assert verdict.reward == 0.0 and not verdict.correct, verdict.reason
    assert "verifier error" not in verdict.reason, verdict.reason


def test_generation_gives_up_cleanly(monkeypatch):
    fam = catalog().family("logic", "zebra")
    calls = []

    def never(rng, cfg):
        calls.append(1)
        return None

    monkeypatch.setattr(fam, "_attempt", never)
    with pytest.raises(GenerationError, match="zebra level 3"):
        fam.sample(0, 3)
    assert len(calls) == zebra.ATTEMPTS


def test_solver_budget_is_respected(monkeypatch):
    """With a tiny node budget a generator either still proves uniqueness or gives up; it never hangs."""
    monkeypatch.setattr(ordering, "MAX_NODES", 3)
    fam = catalog().family("logic", "ordering")
    outcomes = []
    for seed in range(10):
        try:
            task = fam.sample(seed, 8)
        except GenerationError:
            outcomes.append("gave up")
        else:
            outcomes.append("served")
            from tests.logic import oracles

            assert oracles.ordering_solutions(task.prompt) == [task.answer]
    assert outcomes


def test_budget_exceeded_counts_as_a_failed_attempt():
    import random

    tried = []

    def build(rng):
        tried.append(rng.random())
        if len(tried) < 3:
            raise common.BudgetExceeded("too deep")
        return "ok"

    assert common.generate_unique(random.Random(1), build, tries=5, what="x") == "ok"
    assert len(set(tried)) == 3  # each attempt had its own derived rng


@pytest.mark.parametrize("name", [n for n in GENERATORS if n != "arc_agi"])
def test_hardest_level_generates_fast(name):
    fam = catalog().family("logic", name)
    start = time.process_time()
    for seed in range(3):
        fam.sample(seed, fam.levels)
    assert (time.process_time() - start) / 3 < 2.0


def test_difficulty_grows():
    def size(name, level, key):
        return sum(catalog().family("logic", name).sample(s, level).meta[key] for s in range(5))

    assert size("zebra", 1, "clues") < size("zebra", 5, "clues") < size("zebra", 10, "clues")
    assert size("graph", 1, "rules") < size("graph", 4, "rules") < size("graph", 8, "rules")
    assert [zebra.LEVELS[k].houses * zebra.LEVELS[k].attributes for k in (1, 5, 10)] == [4, 16, 42]
    assert [len(catalog().family("logic", "ordering").sample(0, k).answer) for k in (1, 4, 8)] == [3, 6, 12]
