"""Hierarchical tables: two-level row and column headers, as in HiTab's statistical reports.

Description:
    Census, labour-force, enrolment, segment-revenue, league and water-monitoring tables whose rows are
    group -> member (region -> province, field -> program, conference -> team) and whose columns are
    period -> breakdown (year -> sex, season -> venue, fiscal year -> half). Some tables carry
    "All ..." subtotal rows as census tables do; others have missing cells. Questions follow a header
    path to a cell, total or average a group, pick the top member of a group or the top breakdown of a
    row, compute a member's share of its group, and compare periods. pandas indexes the ``MultiIndex``
    frame (``.loc``, ``.xs``) for the answer.

Prompt:
    The table in one of four serialisations, each rendering both header levels (repeated labels in
    markdown/CSV, ``colspan``/``rowspan`` in HTML, nested objects in JSON), the question and the format.

Answer format:
    ``\\boxed{}`` with a number, a percentage or a header label.

Scoring:
    Cells exactly as shown; computed numbers within the stated tolerance or correctly rounded; labels
    normalised.

Difficulty:
    1: a cell by its full header path. 2: a group total (or average) with optional subtotal rows, or a
    change between periods. 3: the top member of a group, or the top breakdown of a member; missing
    cells. 4: a member's share of its group, or a percentage change. 5: the percentage change of a
    group total across the first and last period.

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

import pandas as pd

from guru_envs.tabular.base import Question, TableQAFamily
from guru_envs.tabular.content import HierTopic, hierarchical_table
from guru_envs.tabular.tables import Table, format_number


@dataclass(frozen=True)
class HierarchicalConfig:
    """Knobs of one difficulty level."""

    groups: tuple[int, int]
    children: tuple[int, int]
    tops: tuple[int, int]
    subtotals: float
    missing_rate: float
    kinds: tuple[str, ...]


LEVELS: dict[int, HierarchicalConfig] = {
    1: HierarchicalConfig((2, 3), (2, 3), (2, 2), 0.0, 0.0, ("cell",)),
    2: HierarchicalConfig((2, 3), (2, 4), (2, 3), 0.5, 0.0, ("group_total", "change")),
    3: HierarchicalConfig((3, 4), (2, 4), (2, 3), 0.3, 0.06, ("argmax_member", "argmax_breakdown")),
    4: HierarchicalConfig((3, 4), (3, 4), (2, 3), 0.4, 0.06, ("share", "pct_change")),
    5: HierarchicalConfig((3, 4), (3, 5), (3, 4), 0.4, 0.08, ("group_change", "share", "argmax_member")),
}


def phrases(spec: HierTopic, group: str, child: str, top: str, sub: str) -> dict[str, str]:
    """The topic's sentence pieces for one header path: what is measured, where, and when."""
    s = sub.lower() if spec.lower_sub else sub
    return {
        "what": spec.what.format(sub=s),
        "child": spec.at_child.format(child=child, group=group),
        "group": spec.at_group.format(group=group),
        "when": spec.when.format(top=top),
    }


def members(table: Table, group: str) -> list[str]:
    """The member rows of ``group``, without its "All ..." subtotal row."""
    return [c for g, c in table.df.index if g == group and not c.startswith("All ")]


class HierarchicalFamily(TableQAFamily):
    """HiTab-style questions over multi-level row and column headers."""

    name = "hierarchical"

    def question(self, rng: random.Random, difficulty: int) -> Question:
        """Build a hierarchical-table question; see the module docstring."""
        cfg = LEVELS[difficulty]
        subtotals = rng.random() < cfg.subtotals
        table = hierarchical_table(
            rng,
            n_groups=rng.randint(*cfg.groups),
            children=cfg.children,
            n_tops=rng.randint(*cfg.tops),
            subtotals=subtotals,
            missing_rate=0.0 if subtotals else cfg.missing_rate,
        )
        kind = rng.choice(cfg.kinds)
        spec: HierTopic = table.extra["spec"]
        if kind in ("share", "group_change", "group_total") and not spec.measure.additive:
            kind = {"share": "pct_change", "group_change": "pct_change", "group_total": "group_total"}[kind]
        return getattr(self, "_" + kind)(rng, table, spec)

    def _pick(self, rng: random.Random, table: Table, need: int = 1) -> tuple[str, str, str, str]:
        """A (group, member, top, sub) whose cell is present, from a group with at least ``need`` members."""
        df = table.df
        groups = [g for g in dict.fromkeys(df.index.get_level_values(0)) if len(members(table, g)) >= need]
        group = rng.choice(groups)
        tops = list(dict.fromkeys(df.columns.get_level_values(0)))
        subs = list(dict.fromkeys(df.columns.get_level_values(1)))
        for _ in range(50):
            child, top, sub = rng.choice(members(table, group)), rng.choice(tops), rng.choice(subs)
            if not math.isnan(df.loc[(group, child), (top, sub)]):
                return group, child, top, sub
        return group, child, top, sub

    def _finish(
        self,
        table: Table,
        text: str,
        item: dict,
        steps: list[str],
        wrong: list,
        kind: str,
        names: bool = False,
    ) -> Question:
        distractors = self.wrong_names(item["text"], wrong) if names else self.wrong_numbers(item, wrong)
        suffix = (
            "+subtotals"
            if table.extra["subtotals"]
            else ("+missing" if table.df.isna().to_numpy().any() else "")
        )
        return Question(
            tables=[table], text=text, items=[item], steps=steps, distractors=distractors, qtype=kind + suffix
        )

    def _cell(self, rng, table, spec):
        df = table.df
        group, child, top, sub = self._pick(rng, table)
        p = phrases(spec, group, child, top, sub)
        value = float(df.loc[(group, child), (top, sub)])
        item = self.cell(value)
        text = f"What was the {p['what']} {p['child']} {p['when']}?"
        steps = [
            f"Row {group} > {child}, column {top} > {sub}: {format_number(value, spec.measure.decimals)}."
        ]
        row = df.loc[(group, child)]
        wrong = [float(v) for v in row.dropna() if float(v) != value]
        col = df[(top, sub)].dropna()
        wrong += [float(v) for v in col if float(v) != value][:3]
        return self._finish(table, text, item, steps, wrong, "cell")

    def _group_values(self, table, group, top, sub) -> pd.Series:
        keep = [g == group and not c.startswith("All ") for g, c in table.df.index]
        return table.df[(top, sub)][keep].astype(float)

    def _group_total(self, rng, table, spec):
        group, _, top, sub = self._pick(rng, table, need=2)
        p = phrases(spec, group, "", top, sub)
        values = self._group_values(table, group, top, sub)
        additive = spec.measure.additive
        value = float(values.sum()) if additive else float(values.mean())
        word = "total" if additive else "average"
        item = self.computed(value)
        gaps = " Skip missing values." if values.isna().any() else ""
        text = f"What was the {word} {p['what']} {p['group']} {p['when']}?{gaps}"
        steps = [
            f"Members of {group}: "
            + ", ".join(
                f"{c} {format_number(v, spec.measure.decimals)}" for (_, c), v in values.dropna().items()
            )
            + ".",
            f"{word.capitalize()} = {value:.4f}.",
        ]
        wrong = [
            float(values.mean()) if additive else float(values.sum()),
            float(values.max()),
            float(values.median()),
        ]
        if table.extra["subtotals"]:
            wrong.append(2 * value)  # the subtotal row counted as a member
        return self._finish(table, text, item, steps, wrong, "group_total")

    def _change(self, rng, table, spec):
        df = table.df
        tops = list(dict.fromkeys(df.columns.get_level_values(0)))
        for _ in range(50):
            group, child, _, sub = self._pick(rng, table)
            t0, t1 = tops[0], tops[-1]
            a, b = df.loc[(group, child), (t0, sub)], df.loc[(group, child), (t1, sub)]
            if not (math.isnan(a) or math.isnan(b)):
                break
        p0 = phrases(spec, group, child, t0, sub)
        p1 = phrases(spec, group, child, t1, sub)
        value = float(b) - float(a)
        item = self.computed(value)
        text = (
            f"By how much did the {p0['what']} {p0['child']} change from {t0} to {t1}? Give a negative number "
            "for a decrease."
        )
        steps = [
            f"{p0['when'].capitalize()}: {format_number(float(a), spec.measure.decimals)}; {p1['when']}: "
            f"{format_number(float(b), spec.measure.decimals)}.",
            f"Change = {value:.4f}.",
        ]
        return self._finish(
            table, text, item, steps, [-value, float(a), float(b), float(a) + float(b)], "change"
        )

    def _argmax_member(self, rng, table, spec):
        group, _, top, sub = self._pick(rng, table, need=2)
        values = self._group_values(table, group, top, sub).dropna()
        if len(values) < 2:
            return self._cell(rng, table, spec)
        high = rng.random() < 0.5
        best = values.idxmax() if high else values.idxmin()
        p = phrases(spec, group, "", top, sub)
        among = spec.members_of.format(plural=spec.child_plural, group=group)
        gaps = " Leave out missing values." if self._group_values(table, group, top, sub).isna().any() else ""
        text = (
            f"Which of the {among} had the {'highest' if high else 'lowest'} {p['what']} {p['when']}?{gaps}"
        )
        item = self.label(best[1])
        ordered = values.sort_values(ascending=not high)
        steps = [
            f"Within {group}, {top} > {sub}: "
            + ", ".join(f"{c} {format_number(v, spec.measure.decimals)}" for (_, c), v in ordered.items())
            + ".",
            f"The {'highest' if high else 'lowest'} is {best[1]}.",
        ]
        wrong = [c for (_, c) in ordered.index[1:]] + [group]
        return self._finish(table, text, item, steps, wrong, "argmax_member", names=True)

    def _argmax_breakdown(self, rng, table, spec):
        df = table.df
        group, child, top, _ = self._pick(rng, table)
        subs = list(dict.fromkeys(df.columns.get_level_values(1)))
        row = df.loc[(group, child), top].astype(float).dropna()
        if len(row) < 2 or row.duplicated().any():
            return self._argmax_member(rng, table, spec)
        high = rng.random() < 0.5
        best = str(row.idxmax() if high else row.idxmin())
        level = df.columns.names[1] or "breakdown"
        p = phrases(spec, group, child, top, "")
        text = (
            f"{p['when'].capitalize()}, which {level.lower()} had the {'highest' if high else 'lowest'} value "
            f"{p['child']}? Answer with the column label."
        )
        item = self.label(best)
        steps = [
            f"Row {group} > {child}, under {top}: "
            + ", ".join(f"{s} {format_number(v, spec.measure.decimals)}" for s, v in row.items())
            + ".",
            f"The {'highest' if high else 'lowest'} is {best}.",
        ]
        return self._finish(
            table, text, item, steps, [s for s in subs if s != best] + [top], "argmax_breakdown", names=True
        )

    def _share(self, rng, table, spec):
        for _ in range(50):
            group, child, top, sub = self._pick(rng, table, need=2)
            values = self._group_values(table, group, top, sub)
            if not values.isna().any():
                break
        total = float(values.sum())
        part = float(values.loc[(group, child)])
        value = part / total * 100
        item = self.computed(value, "percent")
        p = phrases(spec, group, child, top, sub)
        text = f"What percentage of the total {p['what']} {p['group']} {p['when']} was {p['child']}?"
        steps = [
            f"Total for {group} ({top} > {sub}) = {total:,.4f} (members only, not the subtotal row).",
            f"{child} = {part:,.4f}; share = {value:.4f}%.",
        ]
        others = float(values.drop((group, child)).sum())
        wrong = [part / others * 100 if others else None, part / (2 * total) * 100, total / part * 100]
        return self._finish(table, text, item, steps, wrong, "share")

    def _pct_change(self, rng, table, spec):
        df = table.df
        tops = list(dict.fromkeys(df.columns.get_level_values(0)))
        t0, t1 = tops[0], tops[-1]
        for _ in range(50):
            group, child, _, sub = self._pick(rng, table)
            a, b = df.loc[(group, child), (t0, sub)], df.loc[(group, child), (t1, sub)]
            if not (math.isnan(a) or math.isnan(b)) and a != 0:
                break
        else:
            return self._cell(rng, table, spec)
        value = (float(b) - float(a)) / float(a) * 100
        item = self.computed(value, "percent")
        p = phrases(spec, group, child, t0, sub)
        text = f"By what percentage did the {p['what']} {p['child']} change from {t0} to {t1}?"
        steps = [
            f"{t0}: {format_number(float(a), spec.measure.decimals)}; {t1}: {format_number(float(b), spec.measure.decimals)}.",
            f"Change = ({float(b)} - {float(a)}) / {float(a)} = {value:.4f}%.",
        ]
        wrong = [(float(b) - float(a)) / float(b) * 100, float(b) - float(a), float(b) / float(a) * 100]
        return self._finish(table, text, item, steps, wrong, "pct_change")

    def _group_change(self, rng, table, spec):
        df = table.df
        tops = list(dict.fromkeys(df.columns.get_level_values(0)))
        t0, t1 = tops[0], tops[-1]
        group, _, _, sub = self._pick(rng, table, need=2)
        a = float(self._group_values(table, group, t0, sub).sum())
        b = float(self._group_values(table, group, t1, sub).sum())
        value = (b - a) / a * 100
        item = self.computed(value, "percent")
        p = phrases(spec, group, "", t0, sub)
        gaps = " Skip missing values." if df.isna().to_numpy().any() else ""
        text = f"By what percentage did the total {p['what']} {p['group']} change from {t0} to {t1}?{gaps}"
        steps = [
            f"Total {t0} = {a:,.4f}; total {t1} = {b:,.4f} (members of {group}, not the subtotal row).",
            f"Change = ({b:,.4f} - {a:,.4f}) / {a:,.4f} = {value:.4f}%.",
        ]
        wrong = [(b - a) / b * 100, b - a, b / a * 100]
        return self._finish(table, text, item, steps, wrong, "group_change")
