"""Aggregation: sums, means, medians and ranges over a column, a filtered subset, or a derived metric.

Description:
    A flat table; the question asks for the total, average, median or spread (highest minus lowest) of
    a column, optionally only over rows in a category or above a threshold, and at the top level of a
    per-row metric the model must first compute (goals per game, net margin, population density).
    Missing cells are skipped, as the prompt says. pandas computes the answer (``sum``, ``mean``,
    ``median`` with ``skipna``).

Prompt:
    The table, the question, the rounding asked (2 decimals by default, more for small values) and the
    relative tolerance (0.1% by default).

Answer format:
    ``\\boxed{1234.57}`` (units and thousands separators allowed); percentages for percent columns.

Scoring:
    Within the stated relative tolerance, or correctly rounded to the asked decimals.

Difficulty:
    1: 5-8 rows, sum or mean. 2: up to 12 rows, also median and range. 3: missing cells and a category
    filter. 4: a threshold filter on another column. 5: a derived per-row metric, filters and missing cells.

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
from guru_envs.tabular.content import DERIVED, derived_values, flat_table
from guru_envs.tabular.tables import format_number


@dataclass(frozen=True)
class AggregationConfig:
    """Knobs of one difficulty level."""

    rows: tuple[int, int]
    measures: int
    missing_rate: float
    ops: tuple[str, ...]
    filters: tuple[str, ...]  # "none", "category", "threshold"
    derived: float  # probability of a derived per-row metric


LEVELS: dict[int, AggregationConfig] = {
    1: AggregationConfig((5, 8), 3, 0.0, ("sum", "mean"), ("none",), 0.0),
    2: AggregationConfig((6, 12), 3, 0.0, ("sum", "mean", "median", "range"), ("none",), 0.0),
    3: AggregationConfig((8, 15), 4, 0.08, ("sum", "mean", "median"), ("none", "category"), 0.0),
    4: AggregationConfig((10, 18), 4, 0.1, ("sum", "mean", "median"), ("category", "threshold"), 0.2),
    5: AggregationConfig(
        (12, 22), 5, 0.1, ("sum", "mean", "median", "range"), ("none", "category", "threshold"), 0.6
    ),
}

_OP_TEXT = {
    "sum": "What is the total {noun} of {who}?",
    "mean": "What is the average {noun} of {who}?",
    "median": "What is the median {noun} of {who}?",
    "range": "What is the difference between the highest and the lowest {noun} among {who}?",
}


def aggregate(series: pd.Series, op: str) -> float:
    """The aggregate pandas computes, skipping missing values."""
    s = series.dropna()
    if op == "sum":
        return float(s.sum())
    if op == "mean":
        return float(s.mean())
    if op == "median":
        return float(s.median())
    return float(s.max() - s.min())


class AggregationFamily(TableQAFamily):
    """Column aggregates over whole tables, filtered subsets and derived metrics."""

    name = "aggregation"

    def question(self, rng: random.Random, difficulty: int) -> Question:
        """Build an aggregation question; see the module docstring."""
        cfg = LEVELS[difficulty]
        n_rows = rng.randint(*cfg.rows)
        use_derived = rng.random() < cfg.derived
        filt = rng.choice(cfg.filters)
        n_cats = 1 if filt == "category" else 0
        if use_derived:
            topic = rng.choice(sorted(DERIVED))
            d = rng.choice(DERIVED[topic])
            table = flat_table(rng, n_rows, cfg.measures, n_cats, cfg.missing_rate, topic, include=(d.a, d.b))
            series = derived_values(table, d)
            noun, additive, percent, source = d.noun, d.op in "+-", d.op == "%", None
        else:
            table = flat_table(rng, n_rows, cfg.measures, n_cats, cfg.missing_rate)
            source = rng.choice(list(table.measures))
            m = table.measures[source]
            series = table.df[source].astype(float)
            noun, additive, percent = m.noun, m.additive, m.is_percent
        df = table.df
        who = f"all {table.entity_plural} in the table"
        scope = pd.Series(True, index=df.index)
        if filt == "category" and table.extra["categories"]:
            label = rng.choice(list(table.extra["categories"]))
            value = rng.choice(sorted(set(df[label])))
            scope = df[label] == value
            who = f"the {table.entity_plural} " + table.extra["categories"][label].where.format(value)
        elif filt == "threshold":
            others = [c for c in table.measures if c != source]
            col = rng.choice(others)
            values = sorted(float(v) for v in df[col].dropna())
            k = rng.randint(max(1, len(values) // 4), max(1, 3 * len(values) // 4))
            k = min(k, len(values) - 1)
            t = nice_between(values[k - 1], values[k])
            above = rng.random() < 0.5
            scope = (df[col] > t) if above else (df[col] < t)
            word = "more than" if above else "less than"
            who = f"the {table.entity_plural} with a {table.measures[col].noun} of {word} {threshold_text(t)}"
        filter_gaps = filt == "threshold" and bool(df[col].isna().any())
        if int(series[scope].notna().sum()) < 2:  # too small a subset: drop the filter
            scope = pd.Series(True, index=df.index)
            who = f"all {table.entity_plural} in the table"
            filter_gaps = False
        ops = [o for o in cfg.ops if additive or o != "sum"]
        op = rng.choice(ops)
        sub = series[scope]
        value = aggregate(sub, op)
        kind = "percent" if percent and op != "sum" else "number"
        item = self.computed(value, kind)
        text = _OP_TEXT[op].format(noun=noun, who=who)
        if series[scope].isna().any():
            text += " Skip missing values."
        if filter_gaps:
            text += " A missing value does not meet the condition."
        used = sub.dropna()
        listing = ", ".join(f"{r}: {format_number(v, 4).rstrip('0').rstrip('.')}" for r, v in used.items())
        steps = []
        if use_derived:
            steps.append(f"First compute the {noun} for each {table.entity}.")
        steps.append(f"Values used ({len(used)}): {listing}.")
        steps.append(f"The {op} is {value:.6g}, which rounds to {item['text']}.")
        candidates = [
            aggregate(sub, {"sum": "mean", "mean": "median", "median": "mean", "range": "sum"}[op]),
            float(used.sum()) / max(1, int(scope.sum())) if op == "mean" else None,  # missing counted as 0
            aggregate(series, op),  # filter ignored
            value - float(used.iloc[0]) if op == "sum" else None,  # a row left out
            float(used.max()),
            value * 100 if kind == "number" else value / 100,
        ]
        if use_derived:
            cols = {m.label: c for c, m in table.measures.items()}
            a, b = df.loc[scope, cols[d.a]].sum(), df.loc[scope, cols[d.b]].sum()
            if b and d.op in "/%":  # ratio of the sums instead of the average ratio
                candidates.append(float(a / b) * (100 if d.op == "%" else d.scale))
        return Question(
            tables=[table],
            text=text,
            items=[item],
            steps=steps,
            distractors=self.wrong_numbers(item, [c for c in candidates if c is not None]),
            qtype=f"{op}{'+derived' if use_derived else ''}{'+' + filt if filt != 'none' else ''}",
        )
