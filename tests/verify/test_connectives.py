"""LaTeX commands that join, relate or set apart values make an answer more than one claim, in every domain.

Each generated task's own reference answer is the gold; the attacks put a LaTeX connective, relation or
wide space between it and another value (``gold \\lor 8``, ``0 \\quad gold``), or a label made only of
commands after it (``gold \\lor \\pi``). Every attack must score 0 in Math, Science and Tabular. Written
for issue 17's second round: before it, ``read_claim`` took ``\\lor \\pi`` as a unit, math-verify read
``8 \\cup 7`` as 7, and a reader that drops spacing read ``0 \\quad \\frac{1}{4}`` as a mixed number.
"""

from __future__ import annotations

import pytest

from guru_envs.core.registry import catalog
from guru_envs.testing import find_answer_slot

# Commands and spacing that never make one value of two.
CONNECTIVES = [
    "\\lor", "\\vee", "\\land", "\\wedge", "\\lnot", "\\neg", "\\quad", "\\qquad", "\\enspace", "\\;", "\\:",
    "\\ ", "~", "\\hspace{1em}", "\\text{ }", "\\neq", "\\ne", "\\not=", "\\mid", "\\vert", "|", "\\&", "\\cup",
    "\\cap", "\\setminus", "\\approx", "\\sim", "\\simeq", "\\equiv", "\\le", "\\ge", "\\lt", "\\gt", "\\to",
    "\\rightarrow", "\\Rightarrow", "\\implies", "\\iff", "\\ldots", "\\dots", "\\cdots", "\\in", "\\notin",
    "\\subset", "\\parallel", "\\perp", "\\bmod", "\\pmod", "\\text{or}", "\\text{ or }", "\\textrm{ or }",
    "\\mathrm{or}", "\\mbox{ or }", "\\operatorname{or}", "\\text{ vs }", "\\text{ and }",
]  # fmt: skip
TAILS = [
    "\\lor \\pi", "-\\pi", "\\lor", "\\dots", "\\ldots", "\\cdots", "\\pm 1", "\\approx", "\\neq 8", "\\mid",
    "\\quad \\text{or } 8", "\\,\\text{or}", "\\cup \\{8\\}", "\\vee \\emptyset", "\\sim", "\\;\\lor\\;\\pi",
    "\\quad\\pi", "\\neg", "\\to \\infty",
]  # fmt: skip
HEADS = ["\\neg", "\\lnot", "\\sim", "\\not", "\\ne", "\\lor", "\\le", "\\ge", "-\\infty \\lor", "\\pi \\lor"]
OTHERS = ("0", "1000003")


def _attacks(gold: str) -> list[str]:
    out = []
    for c in CONNECTIVES:
        for other in OTHERS:
            if other != gold:
                out += [
                    f"{gold} {c} {other}",
                    f"{other} {c} {gold}",
                    f"{gold}{c}{other}",
                    f"{other}{c}{gold}",
                ]
    out += [f"{gold} {t}" for t in TAILS]
    out += [f"{h} {gold}" for h in HEADS]
    return out


def _paid(domain: str, seeds: range) -> tuple[int, list[tuple[str, str]]]:
    cat = catalog()
    tried, paid = 0, []
    for spec in cat.families(domain, generators_only=True):
        family = cat.family(domain, spec.name)
        for seed in seeds:
            for level in sorted({1, family.levels}):
                task = family.sample(seed, level)
                slot = find_answer_slot(task.reference_response)
                if slot is None or slot.kind != "boxed":
                    continue
                gold = slot.content(task.reference_response)
                for attack in _attacks(gold):
                    tried += 1
                    if family.score(task, slot.replace(task.reference_response, attack)).reward > 0:
                        paid.append((task.id, attack))
    return tried, paid


@pytest.mark.parametrize("domain", ["math", "science", "tabular"])
def test_latex_connectives_around_the_gold_are_never_paid(domain):
    tried, paid = _paid(domain, range(1))
    assert tried > 1_000
    assert not paid, paid[:20]


@pytest.mark.slow
@pytest.mark.parametrize("domain", ["math", "science", "tabular"])
def test_latex_connectives_around_the_gold_are_never_paid_over_many_seeds(domain):
    tried, paid = _paid(domain, range(1, 25))
    assert tried > 20_000
    assert not paid, paid[:20]
