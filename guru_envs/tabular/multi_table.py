"""Multi-table: questions that need cells from two or three tables of one segment report (MultiHiertt-style).

Description:
    A company's segment disclosures split over separate tables (revenue, operating expenses, employees,
    identifiable assets by segment and year), shown in shuffled order with an unused table as a
    distractor. At higher levels the revenue table has hierarchical columns (fiscal year -> quarter), so
    a year's revenue is the sum of four quarters. Questions combine cells across tables: sums,
    operating income (revenue minus expenses), operating margins, revenue per employee, growth, and which
    segment is best. pandas joins and computes across the frames.

Prompt:
    The tables (each with its title and units), the question, the rounding asked and the tolerance.

Answer format:
    ``\\boxed{1234.5}`` for amounts, ``\\boxed{12.34%}`` for margins and growth, ``\\boxed{Europe}`` for a
    segment.

Scoring:
    Within the stated relative tolerance (0.1% by default) or correctly rounded; names normalised.

Difficulty:
    1: a sum of one cell from each of two tables. 2: operating income from two tables.
    3: operating margin with a quarterly revenue table. 4: revenue per employee over all segments.
    5: the segment with the best margin, or growth of total operating income, from three tables.

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

from guru_envs.tabular.base import Question, TableQAFamily
from guru_envs.tabular.content import segment_report
from guru_envs.tabular.tables import Table


@dataclass(frozen=True)
class MultiTableConfig:
    """Knobs of one difficulty level."""

    segments: tuple[int, int]
    years: tuple[int, int]
    quarterly: float  # probability of a quarterly (hierarchical) revenue table
    kinds: tuple[str, ...]


LEVELS: dict[int, MultiTableConfig] = {
    1: MultiTableConfig((3, 4), (2, 2), 0.0, ("cross_sum",)),
    2: MultiTableConfig((3, 5), (2, 3), 0.0, ("op_income",)),
    3: MultiTableConfig((3, 5), (2, 3), 0.7, ("margin", "op_income")),
    4: MultiTableConfig((3, 5), (2, 3), 0.5, ("per_employee", "margin")),
    5: MultiTableConfig((4, 5), (3, 3), 0.7, ("best_margin", "income_growth", "per_employee")),
}


def annual(table: Table) -> pd.DataFrame:
    """A segment x year frame; quarterly tables are summed over their quarters."""
    df = table.df
    if isinstance(df.columns, pd.MultiIndex):
        return df.T.groupby(level=0).sum().T.round(1)
    return df


class MultiTableFamily(TableQAFamily):
    """Arithmetic across several related tables."""

    name = "multi_table"

    def question(self, rng: random.Random, difficulty: int) -> Question:
        """Build a cross-table question; see the module docstring."""
        cfg = LEVELS[difficulty]
        first = rng.randint(2015, 2021)
        years = [str(first + i) for i in range(rng.randint(*cfg.years))]
        quarterly = rng.random() < cfg.quarterly
        tables = segment_report(rng, rng.randint(*cfg.segments), years, quarterly)
        rev, exp, emp, assets = (annual(tables[k]) for k in ("revenue", "expenses", "employees", "assets"))
        segments = [str(s) for s in rev.index]
        kind = rng.choice(cfg.kinds)
        seg = rng.choice(segments)
        y = rng.choice(years)
        if kind == "cross_sum":
            other_key = rng.choice(["expenses", "assets"])
            other = exp if other_key == "expenses" else assets
            a, b = float(rev.loc[seg, y]), float(other.loc[seg, y])
            value = a + b
            item = self.computed(value)
            label = "operating expenses" if other_key == "expenses" else "identifiable assets"
            text = f"What is the sum of the {seg} segment's revenue and its {label} in {y}, in millions of dollars?"
            steps = [
                f"Revenue table: {seg}, {y} = {a:,.1f}.",
                f"{label.capitalize()} table: {seg}, {y} = {b:,.1f}.",
                f"Sum = {value:,.1f}.",
            ]
            wrong = [a, b, a - b, a + float(other.loc[seg, _other(years, y)])]
            used = ["revenue", other_key]
        elif kind == "op_income":
            a, b = float(rev.loc[seg, y]), float(exp.loc[seg, y])
            value = a - b
            item = self.computed(value)
            text = (
                f"What was the operating income of the {seg} segment in {y} (revenue minus operating expenses), "
                f"in millions of dollars?"
            )
            steps = [
                f"Revenue {seg} {y} = {a:,.1f}.",
                f"Operating expenses {seg} {y} = {b:,.1f}.",
                f"Operating income = {value:,.1f}.",
            ]
            wrong = [a + b, b - a, a - float(exp.loc[seg, _other(years, y)]), a - float(assets.loc[seg, y])]
            if quarterly:
                wrong.append(float(tables["revenue"].df.loc[seg, (y, "Q4")]) - b)
            used = ["revenue", "expenses"]
        elif kind == "margin":
            a, b = float(rev.loc[seg, y]), float(exp.loc[seg, y])
            value = (a - b) / a * 100
            item = self.computed(value, "percent")
            text = (
                f"What was the operating margin of the {seg} segment in {y}, i.e. revenue minus operating "
                f"expenses as a percentage of revenue?"
            )
            steps = [
                f"Revenue {seg} {y} = {a:,.1f}; operating expenses = {b:,.1f}.",
                f"Margin = ({a:,.1f} - {b:,.1f}) / {a:,.1f} = {value:.4f}%.",
            ]
            wrong = [(a - b) / b * 100, b / a * 100, (a - b)]
            if quarterly:
                q4 = float(tables["revenue"].df.loc[seg, (y, "Q4")])
                wrong.append((q4 - b) / q4 * 100)
            used = ["revenue", "expenses"]
        elif kind == "per_employee":
            total_rev = float(rev[y].sum())
            total_emp = float(emp[y].sum())
            value = total_rev / total_emp * 1000
            item = self.computed(value)
            text = (
                f"Across all segments, what was the revenue per employee in {y}, in thousands of dollars (total "
                f"revenue divided by total employees)?"
            )
            steps = [
                f"Total revenue {y} = {total_rev:,.1f} million.",
                f"Total employees {y} = {total_emp:,.0f}.",
                f"Per employee = {total_rev:,.1f} / {total_emp:,.0f} x 1000 = {value:.4f} thousand dollars.",
            ]
            wrong = [
                float((rev[y] / emp[y]).mean()) * 1000,
                total_rev / total_emp,
                float(rev[_other(years, y)].sum()) / total_emp * 1000,
                float(assets[y].sum()) / total_emp * 1000,
            ]
            used = ["revenue", "employees"]
        elif kind == "best_margin":
            margins = ((rev[y] - exp[y]) / rev[y]).round(12)
            if margins.duplicated().any():
                return self.question(rng, 4)
            best = str(margins.idxmax())
            item = self.label(best)
            text = f"Which segment had the highest operating margin (revenue minus operating expenses, divided by revenue) in {y}?"
            steps = [
                f"Margin in {y}: " + ", ".join(f"{s} {v * 100:.2f}%" for s, v in margins.items()) + ".",
                f"Highest: {best}.",
            ]
            income = rev[y] - exp[y]
            wrong = [str(income.idxmax()), str(rev[y].idxmax()), str(margins.idxmin())]
            return Question(
                tables=_shuffled(rng, tables, ["revenue", "expenses", "employees"]),
                text=text,
                items=[item],
                steps=steps,
                distractors=self.wrong_names(best, wrong),
                qtype=kind + ("+quarterly" if quarterly else ""),
            )
        else:  # income_growth
            y0, y1 = years[0], years[-1]
            i0 = float(rev[y0].sum() - exp[y0].sum())
            i1 = float(rev[y1].sum() - exp[y1].sum())
            value = (i1 - i0) / i0 * 100
            item = self.computed(value, "percent")
            text = (
                f"By what percentage did total operating income across all segments (total revenue minus total "
                f"operating expenses) change from {y0} to {y1}?"
            )
            steps = [
                f"Operating income {y0} = {i0:,.1f}.",
                f"Operating income {y1} = {i1:,.1f}.",
                f"Change = ({i1:,.1f} - {i0:,.1f}) / {i0:,.1f} = {value:.4f}%.",
            ]
            r0, r1 = float(rev[y0].sum()), float(rev[y1].sum())
            wrong = [(r1 - r0) / r0 * 100, (i1 - i0) / i1 * 100, i1 - i0]
            used = ["revenue", "expenses"]
        return Question(
            tables=_shuffled(rng, tables, used + [rng.choice([k for k in tables if k not in used])]),
            text=text,
            items=[item],
            steps=steps,
            distractors=self.wrong_numbers(item, wrong),
            qtype=kind + ("+quarterly" if quarterly else ""),
        )


def _other(years: list[str], y: str) -> str:
    return years[0] if y != years[0] else years[-1]


def _shuffled(rng: random.Random, tables: dict[str, Table], keys: list[str]) -> list[Table]:
    chosen = [tables[k] for k in keys]
    rng.shuffle(chosen)
    return chosen
