"""Filter and count: how many rows meet one or more conditions.

Description:
    A flat table; the question counts the rows whose values pass numeric thresholds ("more than 1,500",
    "at least 42", "between 3 and 7.5"), category filters ("in the East conference") or combinations of
    them with "and" / "or". Missing cells meet no condition, which the prompt states. pandas computes the
    count from boolean masks (a NaN comparison is False, as the prompt says).

Prompt:
    The table, the question, and "Give a whole number".

Answer format:
    ``\\boxed{7}``.

Scoring:
    Exact integer; a percentage or any other number scores 0.

Difficulty:
    1: 5-8 rows, one strict threshold. 2: up to 12 rows, inclusive thresholds and ranges.
    3: up to 16 rows with missing cells, a category filter plus a threshold. 4: up to 20 rows, two
    thresholds joined by "and" / "or". 5: up to 28 rows, three conditions, more missing cells.

Version History:
    v0: initial release.
    v0 (unreleased): scoring only, generated tasks unchanged. A number must be one claim: its trailing text a
        unit or a word of the prompt; hedges, negations, scale words the prompt does not use, LaTeX
        connectives (``\\lor``, ``\\pm``), values side by side and several different boxes score 0 (repeats
        are fine; boxes that each give one item make the set); ``10^5`` and ``~7`` are no longer read as 10
        and 7; scientific notation and space thousands separators are read (issue 17).
    v0 (unreleased): scoring only. A number's trailing text is a word of the question or the unit the asked
        value is in (its column's ``$ millions``; no other column's name or unit, no unit after a count,
        only a percent form after a percentage; see :mod:`guru_envs.tabular.labels`); an ellipsis in the
        answer (``Filtration ...``) is no answer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pandas as pd

from guru_envs.tabular.base import Question, TableQAFamily, nice_between, threshold_text
from guru_envs.tabular.content import flat_table
from guru_envs.tabular.tables import Table, format_number


@dataclass(frozen=True)
class FilterConfig:
    """Knobs of one difficulty level."""

    rows: tuple[int, int]
    measures: int
    categories: int
    missing_rate: float
    conditions: int  # numeric conditions
    ops: tuple[str, ...]
    category_filter: bool
    joins: tuple[str, ...] = ("and",)


LEVELS: dict[int, FilterConfig] = {
    1: FilterConfig((5, 8), 3, 0, 0.0, 1, ("gt", "lt"), False),
    2: FilterConfig((8, 12), 3, 0, 0.0, 1, ("gt", "lt", "ge", "le", "between"), False),
    3: FilterConfig((10, 16), 4, 1, 0.08, 1, ("gt", "lt", "ge", "le", "between"), True),
    4: FilterConfig((12, 20), 4, 1, 0.08, 2, ("gt", "lt", "ge", "le"), False, ("and", "or")),
    5: FilterConfig((18, 28), 5, 2, 0.12, 2, ("gt", "lt", "ge", "le", "between"), True, ("and", "or")),
}

_PHRASES = {
    "gt": "more than {a}",
    "lt": "less than {a}",
    "ge": "at least {a}",
    "le": "at most {a}",
    "between": "between {a} and {b} (inclusive)",
}


@dataclass
class Condition:
    """One numeric condition with its mask and the mask of its most tempting misreading."""

    text: str
    mask: pd.Series
    slip: pd.Series  # strict vs inclusive swapped: a classic off-by-one


def numeric_condition(rng: random.Random, table: Table, col: str, op: str) -> Condition:
    """A threshold condition on ``col`` that neither selects every row nor none of them."""
    m = table.measures[col]
    s = table.df[col]
    values = sorted(float(v) for v in s.dropna())
    n = len(values)
    noun = m.noun
    if op in ("gt", "lt"):
        k = rng.randint(1, n - 1)
        t = nice_between(values[k - 1], values[k])
        mask = s > t if op == "gt" else s < t
        slip = s >= values[k - 1] if op == "gt" else s <= values[k]  # the neighbouring value let in
        text = f"a {noun} of " + _PHRASES[op].format(a=threshold_text(t))
    elif op in ("ge", "le"):
        k = rng.randint(1, n - 2) if n > 2 else 0
        t = values[k]
        mask = s >= t if op == "ge" else s <= t
        slip = s > t if op == "ge" else s < t
        text = f"a {noun} of " + _PHRASES[op].format(a=format_number(t, m.decimals))
    else:
        i = rng.randint(0, max(0, n - 3))
        j = rng.randint(i + 1, min(n - 1, i + max(2, n // 2)))
        lo, hi = values[i], values[j]
        mask = (s >= lo) & (s <= hi)
        slip = (s > lo) & (s < hi)
        text = f"a {noun} " + _PHRASES[op].format(
            a=format_number(lo, m.decimals), b=format_number(hi, m.decimals)
        )
    return Condition(text, mask, slip)


class FilterCountFamily(TableQAFamily):
    """Counting rows that meet threshold and category conditions."""

    name = "filter_count"

    def question(self, rng: random.Random, difficulty: int) -> Question:
        """Build a counting question; see the module docstring."""
        cfg = LEVELS[difficulty]
        n_cats = max(cfg.categories, int(cfg.category_filter))
        table = flat_table(rng, rng.randint(*cfg.rows), cfg.measures, n_cats, cfg.missing_rate)
        df = table.df
        cols = rng.sample(list(table.measures), cfg.conditions)
        conds = [numeric_condition(rng, table, c, rng.choice(cfg.ops)) for c in cols]
        join = rng.choice(cfg.joins) if len(conds) > 1 else "and"
        mask = conds[0].mask
        slip = conds[0].slip
        for c in conds[1:]:
            mask = (mask & c.mask) if join == "and" else (mask | c.mask)
            slip = (slip & c.slip) if join == "and" else (slip | c.slip)
        where = ""
        scope = pd.Series(True, index=df.index)
        if cfg.category_filter and table.extra["categories"]:
            label = rng.choice(list(table.extra["categories"]))
            cat = table.extra["categories"][label]
            value = rng.choice(sorted(set(df[label])))
            scope = df[label] == value
            where = " " + cat.where.format(value)
        mask = mask & scope
        slip = slip & scope
        count = int(mask.sum())
        cond_text = (
            f" {join} ".join(c.text for c in conds) if join == "and" else " or ".join(c.text for c in conds)
        )
        verb = "have" if join == "and" or len(conds) == 1 else "have either"
        text = f"How many {table.entity_plural}{where} {verb} {cond_text}?"
        if df[cols].isna().to_numpy().any():
            text += " A missing value does not meet any condition."
        item = self.count(count)
        chosen = [str(r) for r in df.index[mask]]
        steps = [f"Check each {table.entity}{where} against the condition{'s' if len(conds) > 1 else ''}."]
        steps.append(
            f"Matching {table.entity_plural}: {', '.join(chosen)}."
            if chosen
            else f"No {table.entity} matches."
        )
        steps.append(f"That makes {count}.")
        missing_as_met = mask | (df[cols].isna().any(axis=1) & scope)
        candidates = [
            int(slip.sum()),
            int(scope.sum()) - count,
            int(missing_as_met.sum()),
            count + 1,
            count - 1,
        ]
        return Question(
            tables=[table],
            text=text,
            items=[item],
            steps=steps,
            distractors=[str(c) for c in dict.fromkeys(candidates) if c != count and c >= 0][:4],
            qtype=f"{len(conds)}x{join}" + ("+category" if where else ""),
        )
