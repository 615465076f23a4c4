"""Lookup: read one cell, find the row holding a value, or follow two hops through a row.

Description:
    A flat table of sports, finance, demographic or science data (teams, players, companies, cities,
    monitoring sites, lab samples). The question names a row and a column ("What is the payroll for the
    Tampa Herons?"), a value to find ("Which site has a pH of 7.42?"), or both in sequence ("What is the
    salary of the player whose goals are 31?"). pandas reads the answer (``df.loc``, boolean masks).

Prompt:
    The table (markdown, CSV, HTML or JSON records; title and units above it), the question, and the
    answer format.

Answer format:
    ``\\boxed{}`` holding the cell's number as shown (units optional) or the row's name.

Scoring:
    Numbers must equal the displayed value (``$1,234.5 million`` reads as 1234.5); names are compared
    after normalisation (case, spacing, leading article). See :mod:`guru_envs.tabular.answers`.

Difficulty:
    1: 4-6 rows, 3 numeric columns, cell lookups. 2: up to 10 rows, a text column, category lookups.
    3: up to 14 rows with missing cells, reverse lookups. 4: up to 18 rows, two-hop lookups.
    5: up to 25 rows, six columns, more missing cells, all kinds.

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

import math
import random
from dataclasses import dataclass

from guru_envs.tabular.base import Question, TableQAFamily
from guru_envs.tabular.content import flat_table
from guru_envs.tabular.tables import Table, format_number


@dataclass(frozen=True)
class LookupConfig:
    """Knobs of one difficulty level."""

    rows: tuple[int, int]
    measures: int
    categories: int
    missing_rate: float
    modes: tuple[str, ...]


LEVELS: dict[int, LookupConfig] = {
    1: LookupConfig((4, 6), 3, 0, 0.0, ("cell",)),
    2: LookupConfig((6, 10), 4, 1, 0.0, ("cell", "category")),
    3: LookupConfig((8, 14), 4, 1, 0.06, ("cell", "reverse")),
    4: LookupConfig((10, 18), 5, 2, 0.08, ("reverse", "two_hop")),
    5: LookupConfig((16, 25), 6, 2, 0.12, ("cell", "reverse", "two_hop", "category")),
}


def _present(table: Table, col: str) -> list[str]:
    """Row names whose cell in ``col`` is not missing."""
    series = table.df[col]
    return [str(r) for r in series.index[series.notna()]]


class LookupFamily(TableQAFamily):
    """Single-cell lookups, reverse lookups and two-hop lookups in flat tables."""

    name = "lookup"

    def question(self, rng: random.Random, difficulty: int) -> Question:
        """Build a lookup question; see the module docstring."""
        cfg = LEVELS[difficulty]
        mode = rng.choice(cfg.modes)
        categories = max(cfg.categories, 1 if mode == "category" else 0)
        table = flat_table(rng, rng.randint(*cfg.rows), cfg.measures, categories, cfg.missing_rate)
        build = {
            "cell": self._cell,
            "category": self._category,
            "reverse": self._reverse,
            "two_hop": self._two_hop,
        }
        return build[mode](rng, table)

    def _cell(self, rng: random.Random, table: Table) -> Question:
        df = table.df
        col = rng.choice(list(table.measures))
        m = table.measures[col]
        rows = _present(table, col)
        row = rng.choice(rows)
        value = float(df.loc[row, col])
        item = self.cell(value, m.is_percent)
        i = rows.index(row)
        neighbours = [float(df.loc[r, col]) for r in rows[max(0, i - 1) : i + 2] if r != row]
        same_row = [
            float(df.loc[row, c]) for c in table.measures if c != col and not math.isnan(df.loc[row, c])
        ]
        return Question(
            tables=[table],
            text=f"What is the {m.noun} for {row}?",
            items=[item],
            steps=[
                f"Find the row for {row} and read the '{col}' column: {format_number(value, m.decimals)}."
            ],
            distractors=self.wrong_numbers(item, neighbours + same_row + [value * 10, value + 1]),
            qtype="cell",
        )

    def _category(self, rng: random.Random, table: Table) -> Question:
        label = rng.choice(list(table.extra["categories"]))
        cat = table.extra["categories"][label]
        row = rng.choice([str(r) for r in table.df.index])
        value = str(table.df.loc[row, label])
        return Question(
            tables=[table],
            text=f"What is the {label.lower()} of {row}?",
            items=[self.label(value)],
            steps=[f"The row for {row} lists {label} = {value}."],
            distractors=self.wrong_names(value, list(cat.choices) + [row]),
            qtype="category",
        )

    def _reverse(self, rng: random.Random, table: Table) -> Question:
        df = table.df
        col = rng.choice(list(table.measures))
        m = table.measures[col]
        row = rng.choice(_present(table, col))
        value = float(df.loc[row, col])
        matches = [str(r) for r in df.index[df[col] == value]]
        assert matches == [row], "columns are generated without ties"
        order = [str(r) for r in df[col].dropna().sort_values().index]
        i = order.index(row)
        near = order[max(0, i - 1) : i + 2]
        shown = format_number(value, m.decimals)
        return Question(
            tables=[table],
            text=f"Which {table.entity} has a {m.noun} of {shown}?",
            items=[self.label(row)],
            steps=[f"Scan the '{col}' column for {shown}: it is in the row for {row}."],
            distractors=self.wrong_names(row, near + [order[-1], order[0]]),
            qtype="reverse",
        )

    def _two_hop(self, rng: random.Random, table: Table) -> Question:
        df = table.df
        key_col, target_col = rng.sample(list(table.measures), 2)
        km, tm = table.measures[key_col], table.measures[target_col]
        rows = [r for r in _present(table, key_col) if r in set(_present(table, target_col))]
        row = rng.choice(rows)
        key = float(df.loc[row, key_col])
        value = float(df.loc[df[key_col] == key, target_col].iloc[0])
        item = self.cell(value, tm.is_percent)
        shown_key = format_number(key, km.decimals)
        others = [float(v) for v in df[target_col].dropna() if float(v) != value]
        rng.shuffle(others)
        return Question(
            tables=[table],
            text=f"What is the {tm.noun} of the {table.entity} whose {km.noun} is {shown_key}?",
            items=[item],
            steps=[
                f"The {table.entity} with {km.noun} {shown_key} is {row}.",
                f"Its '{target_col}' value is {format_number(value, tm.decimals)}.",
            ],
            distractors=self.wrong_numbers(item, [key] + others[:3] + [value * 10]),
            qtype="two_hop",
        )
