"""Several answers: questions whose answer is a set, written ``a | b`` as in GURU's HiTab rows.

Description:
    Which rows pass a threshold, the top or bottom k, which rows lack a value, the highest and lowest
    values of a column, and in hierarchical tables which members had more of one breakdown than another
    or passed a threshold in a period. Answers are compared as an unordered set: every expected answer
    exactly once, nothing extra. pandas selects the rows (boolean masks, ``nlargest``/``nsmallest``).

Prompt:
    The table, the question, and the instruction to put all answers in one ``\\boxed{}`` separated by
    ``|``; whether the number of answers is given depends on the question ("Which two ..." says it).

Answer format:
    ``\\boxed{Portland Herons | Tampa Comets | Reno Owls}`` in any order.

Scoring:
    Unordered set match of the ``|``-separated parts; a missing, extra or wrong part scores 0.

Difficulty:
    1: rows above or below a threshold (2-4 answers). 2: top or bottom two or three. 3: a category
    filter plus a threshold, or the rows with a missing value. 4: highest and lowest values (two
    numbers), or members with more of one breakdown than another. 5: members of any group passing a
    threshold in a hierarchical table, or rows meeting either of two conditions (up to 6 answers).

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
from guru_envs.tabular.content import flat_table, hierarchical_table
from guru_envs.tabular.hierarchical import phrases
from guru_envs.tabular.tables import Table, format_number

NUMBER_WORDS = {2: "two", 3: "three", 4: "four"}


@dataclass(frozen=True)
class MultiAnswerConfig:
    """Knobs of one difficulty level."""

    rows: tuple[int, int]
    measures: int
    missing_rate: float
    kinds: tuple[str, ...]


LEVELS: dict[int, MultiAnswerConfig] = {
    1: MultiAnswerConfig((6, 9), 3, 0.0, ("threshold",)),
    2: MultiAnswerConfig((7, 12), 3, 0.0, ("top_k", "threshold")),
    3: MultiAnswerConfig((9, 15), 4, 0.12, ("category_threshold", "missing", "top_k")),
    4: MultiAnswerConfig((10, 16), 4, 0.08, ("extremes", "breakdown_compare", "category_threshold")),
    5: MultiAnswerConfig((12, 22), 5, 0.1, ("hier_threshold", "either", "breakdown_compare")),
}


class MultiAnswerFamily(TableQAFamily):
    """Set-valued answers, scored as unordered sets."""

    name = "multi_answer"

    def question(self, rng: random.Random, difficulty: int) -> Question:
        """Build a several-answer question; see the module docstring."""
        cfg = LEVELS[difficulty]
        kind = rng.choice(cfg.kinds)
        if kind in ("breakdown_compare", "hier_threshold"):
            q = getattr(self, "_" + kind)(rng, difficulty)
            if q is not None:
                return q
            kind = "threshold"
        n_cats = 1 if kind == "category_threshold" else 0
        table = flat_table(rng, rng.randint(*cfg.rows), cfg.measures, n_cats, cfg.missing_rate)
        q = getattr(self, "_" + kind)(rng, table)
        return q if q is not None else self._threshold(rng, table)

    # -- helpers ---------------------------------------------------------------------------------------

    def _names_question(
        self,
        table: Table,
        text: str,
        chosen: list[str],
        order: list[str],
        steps: list[str],
        kind: str,
        count_known: bool = False,
    ) -> Question:
        """A question whose answer is the set ``chosen``; distractors drop, add or swap one name."""
        items = [self.label(c) for c in chosen]
        outside = [o for o in order if o not in chosen]
        wrong = [chosen[:-1] if len(chosen) > 1 else chosen + outside[:1]]
        if outside:
            wrong += [chosen + outside[:1], chosen[:-1] + outside[:1]]
        return Question(
            tables=[table],
            text=text,
            items=items,
            steps=steps,
            distractors=[" | ".join(w) for w in wrong if sorted(w) != sorted(chosen)],
            qtype=kind,
            count_known=count_known,
        )

    @staticmethod
    def _split_for(rng: random.Random, values: list[float], low: int = 2, high: int = 5) -> int | None:
        """How many values lie above a random split point with ``low``..``high`` of them above it."""
        n = len(values)
        options = [k for k in range(low, min(high, n - 1) + 1)]
        return rng.choice(options) if options else None

    # -- flat-table questions ------------------------------------------------------------------------------

    def _threshold(self, rng: random.Random, table: Table) -> Question | None:
        col = rng.choice(list(table.measures))
        m = table.measures[col]
        s = table.df[col].dropna().sort_values(ascending=False, kind="mergesort")
        k = self._split_for(rng, list(s))
        if k is None:
            return None
        above = rng.random() < 0.5
        vals = list(s) if above else list(s)[::-1]
        names = [str(r) for r in s.index] if above else [str(r) for r in s.index][::-1]
        lo, hi = sorted((vals[k - 1], vals[k]))
        t = nice_between(lo, hi)
        chosen = names[:k]
        word = "more than" if above else "less than"
        gaps = " A missing value does not count." if table.df[col].isna().any() else ""
        text = f"Which {table.entity_plural} have a {m.noun} of {word} {threshold_text(t)}?{gaps}"
        steps = [
            f"Scan the '{col}' column for values {word} {threshold_text(t)}.",
            f"They are: {', '.join(chosen)}.",
        ]
        return self._names_question(table, text, chosen, names, steps, "threshold")

    def _top_k(self, rng: random.Random, table: Table) -> Question | None:
        col = rng.choice(list(table.measures))
        m = table.measures[col]
        high = rng.random() < 0.5
        s = table.df[col].dropna()
        k = rng.choice([2, 3]) if len(s) > 4 else 2
        ordered = s.sort_values(ascending=not high, kind="mergesort")
        chosen = [str(r) for r in ordered.index[:k]]
        word = "highest" if high else "lowest"
        gaps = " Leave out missing values." if table.df[col].isna().any() else ""
        text = f"Which {NUMBER_WORDS[k]} {table.entity_plural} have the {word} {m.noun}?{gaps}"
        steps = [
            f"Sort by '{col}' from the {word}: "
            + ", ".join(f"{r} ({format_number(v, m.decimals)})" for r, v in ordered.items())
            + ".",
            f"The first {k}: {', '.join(chosen)}.",
        ]
        return self._names_question(
            table, text, chosen, [str(r) for r in ordered.index], steps, "top_k", count_known=True
        )

    def _category_threshold(self, rng: random.Random, table: Table) -> Question | None:
        label = rng.choice(list(table.extra["categories"]))
        cat = table.extra["categories"][label]
        df = table.df
        for value in rng.sample(sorted(set(df[label])), len(set(df[label]))):
            col = rng.choice(list(table.measures))
            m = table.measures[col]
            s = df.loc[df[label] == value, col].dropna().sort_values(ascending=False, kind="mergesort")
            k = self._split_for(rng, list(s), 2, 4)
            if k is None:
                continue
            above = rng.random() < 0.5
            vals = list(s) if above else list(s)[::-1]
            names = [str(r) for r in (s.index if above else s.index[::-1])]
            lo, hi = sorted((vals[k - 1], vals[k]))
            t = nice_between(lo, hi)
            chosen = names[:k]
            word = "more than" if above else "less than"
            gaps = " A missing value does not count." if df[col].isna().any() else ""
            text = f"Which {table.entity_plural} {cat.where.format(value)} have a {m.noun} of {word} {threshold_text(t)}?{gaps}"
            steps = [
                f"Keep the {table.entity_plural} with {label} = {value}.",
                f"Of those, {word} {threshold_text(t)} in '{col}': {', '.join(chosen)}.",
            ]
            others = [str(r) for r in df.index if str(r) not in chosen]
            return self._names_question(table, text, chosen, names[k:] + others, steps, "category_threshold")
        return None

    def _missing(self, rng: random.Random, table: Table) -> Question | None:
        cols = [c for c in table.measures if 2 <= int(table.df[c].isna().sum()) <= 5]
        if not cols:
            return self._top_k(rng, table)
        col = rng.choice(cols)
        chosen = [str(r) for r in table.df.index[table.df[col].isna()]]
        text = f"For which {table.entity_plural} is the {table.measures[col].noun} not available?"
        steps = [f"Look for missing cells in the '{col}' column: {', '.join(chosen)}."]
        others = [str(r) for r in table.df.index if str(r) not in chosen]
        return self._names_question(table, text, chosen, others, steps, "missing")

    def _extremes(self, rng: random.Random, table: Table) -> Question | None:
        col = rng.choice(list(table.measures))
        m = table.measures[col]
        s = table.df[col].dropna().sort_values(kind="mergesort")
        lo, hi = float(s.iloc[0]), float(s.iloc[-1])
        items = [self.cell(hi, m.is_percent), self.cell(lo, m.is_percent)]
        gaps = " Leave out missing values." if table.df[col].isna().any() else ""
        text = f"What are the highest and the lowest {m.noun} in the table?{gaps}"
        steps = [
            f"Highest '{col}': {format_number(hi, m.decimals)} ({s.index[-1]}).",
            f"Lowest: {format_number(lo, m.decimals)} ({s.index[0]}).",
        ]
        second_hi, second_lo = float(s.iloc[-2]), float(s.iloc[1])

        def show(v: float) -> str:
            return self.cell(v, m.is_percent)["text"]

        wrong = [
            f"{show(second_hi)} | {show(lo)}",
            f"{show(hi)} | {show(second_lo)}",
            f"{show(hi)}",
            f"{show(hi)} | {show(lo)} | {show(second_hi)}",
        ]
        return Question(
            tables=[table], text=text, items=items, steps=steps, distractors=wrong, qtype="extremes"
        )

    def _either(self, rng: random.Random, table: Table) -> Question | None:
        a, b = rng.sample(list(table.measures), 2)
        df = table.df
        for _ in range(20):
            ta = _cut(rng, df[a], 0.75)
            tb = _cut(rng, df[b], 0.75)
            mask = (df[a] > ta) | (df[b] > tb)
            if 2 <= int(mask.sum()) <= 6:
                break
        else:
            return None
        chosen = [str(r) for r in df.index[mask]]
        ma, mb = table.measures[a], table.measures[b]
        gaps = " A missing value does not meet a condition." if df[[a, b]].isna().to_numpy().any() else ""
        text = (
            f"Which {table.entity_plural} have a {ma.noun} of more than {threshold_text(ta)} or a {mb.noun} of more "
            f"than {threshold_text(tb)} (or both)?{gaps}"
        )
        steps = [
            f"'{a}' above {threshold_text(ta)} or '{b}' above {threshold_text(tb)}: {', '.join(chosen)}."
        ]
        both = [str(r) for r in df.index[(df[a] > ta) & (df[b] > tb)]]
        others = [str(r) for r in df.index if str(r) not in chosen]
        q = self._names_question(table, text, chosen, others, steps, "either")
        if both and sorted(both) != sorted(chosen):
            q.distractors.append(" | ".join(both))
        return q

    # -- hierarchical-table questions -----------------------------------------------------------------------

    def _breakdown_compare(self, rng: random.Random, difficulty: int) -> Question | None:
        table = hierarchical_table(
            rng, n_groups=rng.randint(2, 4), children=(3, 5), n_tops=2, missing_rate=0.0
        )
        spec = table.extra["spec"]
        df = table.df
        tops = list(dict.fromkeys(df.columns.get_level_values(0)))
        subs = list(dict.fromkeys(df.columns.get_level_values(1)))
        top = rng.choice(tops)
        sa, sb = rng.sample(subs, 2)
        groups = list(dict.fromkeys(df.index.get_level_values(0)))
        rng.shuffle(groups)
        for group in groups:
            block = df.loc[[g == group for g, _ in df.index]]
            more = block[(top, sa)] > block[(top, sb)]
            if 2 <= int(more.sum()) < len(block):
                chosen = [c for (_, c), flag in more.items() if flag]
                la = sa.lower() if spec.lower_sub else sa
                lb = sb.lower() if spec.lower_sub else sb
                among = spec.members_of.format(plural=spec.child_plural, group=group)
                level = (df.columns.names[1] or "column").lower()
                when = spec.when.format(top=top)
                text = (
                    f"Which of the {among} had a higher value for {la} than for {lb} {when}? Compare the two "
                    f"{level} columns under {top}."
                )
                steps = [
                    f"Under {top}, compare {sa} with {sb} for each member of {group}.",
                    f"{sa} is higher for: {', '.join(chosen)}.",
                ]
                others = [c for (_, c), flag in more.items() if not flag]
                return self._names_question(table, text, chosen, others, steps, "breakdown_compare")
        return None

    def _hier_threshold(self, rng: random.Random, difficulty: int) -> Question | None:
        topic = rng.choice(["census", "states", "enrolment", "segments", "league"])  # member names are unique
        table = hierarchical_table(
            rng,
            n_groups=rng.randint(2, 4),
            children=(2, 4),
            n_tops=rng.randint(2, 3),
            missing_rate=0.05,
            topic=topic,
        )
        spec = table.extra["spec"]
        df = table.df
        col = rng.choice(list(df.columns))
        top, sub = col
        s = df[col].dropna().sort_values(ascending=False, kind="mergesort")
        k = self._split_for(rng, list(s), 2, 6)
        if k is None:
            return None
        t = nice_between(float(s.iloc[k]), float(s.iloc[k - 1]))
        chosen = [c for _, c in s.index[:k]]
        p = phrases(spec, "", "", top, sub)
        gaps = " A missing value does not count." if df[col].isna().any() else ""
        text = (
            f"Which {spec.child_plural}, in any {spec.group_noun}, had a {p['what']} of more than "
            f"{threshold_text(t)} {p['when']}?{gaps}"
        )
        steps = [
            f"Read the {top} > {sub} column for every member row.",
            f"Above {threshold_text(t)}: {', '.join(chosen)}.",
        ]
        return self._names_question(table, text, chosen, [c for _, c in s.index[k:]], steps, "hier_threshold")


def _cut(rng: random.Random, series: pd.Series, q: float) -> float:
    """A round threshold near the ``q`` quantile of a column, equal to no value in it."""
    values = sorted(float(v) for v in series.dropna())
    i = min(len(values) - 1, max(1, int(q * len(values)) + rng.randint(-1, 1)))
    return nice_between(values[i - 1], values[i])
