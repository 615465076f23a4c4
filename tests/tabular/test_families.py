"""Every generated tabular family over many seeds: the reference scores 1, wrong and perturbed answers 0.

The default run sweeps a few hundred tasks per family in-process and runs the contract kit on a few
seeds; ``-m slow`` sweeps thousands per family and runs the kit on hundreds.
"""

from __future__ import annotations

import collections
import re

import pytest

from guru_envs import catalog
from guru_envs.core.scoring import score
from guru_envs.tabular.answers import answer_text, task_items, tolerance_band
from guru_envs.tabular.tables import FORMATS
from guru_envs.testing import check_family

FAMILIES = [
    "lookup",
    "filter_count",
    "aggregation",
    "ranking",
    "ratio",
    "multi_table",
    "hierarchical",
    "multi_answer",
]
LEVELS = range(1, 6)


def perturbed(task) -> list[str]:
    """The reference answer with one part changed just outside its tolerance, given a percent sign where it
    is an amount, or dropped."""
    items = task_items(task.answer, task.meta)
    out = []
    for i, item in enumerate(items):
        parts = [it["text"] for it in items]
        if item["kind"] == "text":
            parts[i] = item["text"] + " Jr"
        else:
            step = (
                2.5 * tolerance_band(item)
                + 1e-6 * max(1.0, abs(item["value"]))
                + (1 if item["kind"] == "count" else 0)
            )
            new = item["value"] + step
            parts[i] = f"{new:.10g}%" if item["kind"] == "percent" else f"{new:.10g}"
        out.append(" | ".join(parts))
        if item["kind"] == "number":  # an amount with a percent sign, at face value or as a hundredth
            for scaled in (item["text"], f"{item['value'] * 100:.10g}"):
                parts[i] = f"{scaled}\\%"
                out.append(" | ".join(parts))
    if len(items) > 1:
        out.append(" | ".join(it["text"] for it in items[1:]))
    return [f"Working through the table, the answer is \\boxed{{{p}}}." for p in out]


def sweep(name: str, seeds: range) -> collections.Counter:
    """Generate and score every (seed, level); return the question types seen."""
    family = catalog().family("tabular", name)
    seen: collections.Counter = collections.Counter()
    for level in LEVELS:
        for seed in seeds:
            task = family.sample(seed, level)
            items = task_items(task.answer, task.meta)
            assert task.answer == answer_text(items)
            assert task.meta["format"] in FORMATS
            assert task.prompt.rstrip().endswith("Put your final answer within \\boxed{}.")
            ref = score(task, task.reference_response)
            assert ref.correct and ref.reward == 1.0, (task.id, ref.reason, task.reference_response[-200:])
            wrongs = family.wrong_responses(task)
            assert len(wrongs) >= 2, task.id
            for wrong in wrongs + perturbed(task):
                verdict = score(task, wrong)
                assert verdict.reward == 0.0 and not verdict.correct, (task.id, task.answer, wrong[-200:])
            for item in items:  # every label in the answer is in the prompt, every lookup cell too
                if item["kind"] == "text":
                    assert item["text"] in task.prompt, (task.id, item)
                elif (
                    item.get("decimals") is None
                    and item["kind"] != "count"
                    and task.meta["question_type"] in ("cell", "two_hop", "extremes")
                ):
                    v = item["value"]
                    shown = {f"{v:,.{d}f}" for d in range(4)} | {f"{v:.{d}f}" for d in range(4)}
                    assert any(re.search(rf"(?<![\d.]){re.escape(s)}(?![\d])", task.prompt) for s in shown), (
                        task.id,
                        v,
                    )
            seen[task.meta["question_type"].split("+")[0]] += 1
    return seen


EXPECTED_TYPES = {
    "lookup": {"cell", "category", "reverse", "two_hop"},
    "aggregation": {"sum", "mean", "median", "range"},
    "ranking": {"extreme", "kth", "rank_of"},
    "ratio": {
        "pct_change",
        "pct_change_far",
        "share",
        "margin_pp",
        "average",
        "cagr",
        "eps",
        "payout",
        "eps_growth",
        "tax_rate_pp",
        "margin_growth",
    },
    "multi_table": {"cross_sum", "op_income", "margin", "per_employee", "best_margin", "income_growth"},
    "hierarchical": {
        "cell",
        "group_total",
        "change",
        "argmax_member",
        "argmax_breakdown",
        "share",
        "pct_change",
        "group_change",
    },
    "multi_answer": {
        "threshold",
        "top_k",
        "category_threshold",
        "missing",
        "extremes",
        "breakdown_compare",
        "hier_threshold",
        "either",
    },
}


@pytest.mark.parametrize("name", FAMILIES)
def test_hundreds_of_seeds(name):
    seen = sweep(name, range(120))
    assert sum(seen.values()) == 600
    assert EXPECTED_TYPES.get(name, set()) <= set(seen), (
        f"{name}: question types never drawn: {EXPECTED_TYPES[name] - set(seen)}"
    )


@pytest.mark.parametrize("name", FAMILIES)
def test_contract_kit(name):
    counts = check_family("tabular", name, seeds=range(10))
    assert counts["tasks"] == 50 and counts["wrong_responses"] >= 100 and counts["hostile"] >= 10


@pytest.mark.slow
@pytest.mark.parametrize("name", FAMILIES)
def test_thousands_of_seeds(name):
    seen = sweep(name, range(1000, 3000))
    assert sum(seen.values()) == 10_000


@pytest.mark.slow
@pytest.mark.parametrize("name", FAMILIES)
def test_contract_kit_many_seeds(name):
    check_family("tabular", name, seeds=range(200))


MARKERS = {"markdown": "| --- |", "csv": None, "html": "<thead>", "json": "Rows as JSON records:"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", FAMILIES)
def test_forced_format_changes_only_the_rendering(name, fmt):
    free = catalog().family("tabular", name)
    forced = catalog().family("tabular", name, table_format=fmt)
    for level in LEVELS:
        for seed in range(3):
            a, b = free.sample(seed, level), forced.sample(seed, level)
            assert b.meta["format"] == fmt
            assert (a.answer, a.meta["items"], a.meta["question_type"]) == (
                b.answer,
                b.meta["items"],
                b.meta["question_type"],
            )
            if MARKERS[fmt]:
                assert MARKERS[fmt] in b.prompt
            else:
                assert "| --- |" not in b.prompt and "<table>" not in b.prompt
            assert forced.score(b, b.reference_response).correct


def test_options_are_stated_in_the_prompt():
    loose = catalog().family("tabular", "aggregation", rel_tol=0.005, decimals=3)
    task = loose.sample(4, 2)
    assert "relative error of 0.5%" in task.prompt and "rounded to 3 decimal places" in task.prompt
    with pytest.raises(ValueError):
        catalog().family("tabular", "lookup", table_format="xlsx")
    with pytest.raises(ValueError):
        catalog().family("tabular", "lookup", rel_tol=0.5)
    with pytest.raises(TypeError):
        catalog().family("tabular", "lookup", colour="blue")


def test_difficulty_grows():
    """Higher levels show bigger tables (more prompt text) on average, for every family."""
    for name in FAMILIES:
        family = catalog().family("tabular", name, table_format="csv")
        sizes = [sum(len(family.sample(s, level).prompt) for s in range(10)) for level in (1, 5)]
        assert sizes[1] > sizes[0], name
