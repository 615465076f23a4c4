"""Ranking: the row with the highest or lowest value, the k-th in order, or a given row's rank.

Description:
    A flat table; the question asks which row is highest or lowest in a column ("Which company had
    the highest dividend yield?"), which is k-th ("the third-lowest pH"), what rank a named row holds,
    within a category or by a per-row metric the model must compute first. Missing cells are left out
    of the ranking, as the prompt says. pandas ranks (``sort_values``, ``idxmax``); no question has a tie.

Prompt:
    The table, the question, and the answer format (a name, or a whole number for ranks).

Answer format:
    ``\\boxed{Tampa Herons}`` or ``\\boxed{4}``.

Scoring:
    Names after normalisation; ranks as exact integers.

Difficulty:
    1: 4-7 rows, highest/lowest. 2: up to 10 rows, k-th place. 3: missing cells, rank of a row, and
    within a category. 4: derived metrics (goals per game, net margin). 5: up to 24 rows, everything.

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

from guru_envs.tabular.base import Question, TableQAFamily
from guru_envs.tabular.content import DERIVED, derived_values, flat_table

ORDINALS = {1: "", 2: "second-", 3: "third-", 4: "fourth-", 5: "fifth-"}


@dataclass(frozen=True)
class RankingConfig:
    """Knobs of one difficulty level."""

    rows: tuple[int, int]
    measures: int
    missing_rate: float
    modes: tuple[str, ...]  # "extreme", "kth", "rank_of"
    category: float  # probability of restricting to a category
    derived: float  # probability of a derived metric


LEVELS: dict[int, RankingConfig] = {
    1: RankingConfig((4, 7), 3, 0.0, ("extreme",), 0.0, 0.0),
    2: RankingConfig((6, 10), 3, 0.0, ("extreme", "kth"), 0.0, 0.0),
    3: RankingConfig((8, 14), 4, 0.08, ("kth", "rank_of"), 0.5, 0.0),
    4: RankingConfig((10, 18), 4, 0.1, ("extreme", "kth", "rank_of"), 0.3, 0.6),
    5: RankingConfig((14, 24), 5, 0.12, ("extreme", "kth", "rank_of"), 0.5, 0.5),
}


class RankingFamily(TableQAFamily):
    """Arg-max/arg-min, k-th place and rank-of questions."""

    name = "ranking"

    def question(self, rng: random.Random, difficulty: int) -> Question:
        """Build a ranking question; see the module docstring."""
        cfg = LEVELS[difficulty]
        n_rows = rng.randint(*cfg.rows)
        use_cat = rng.random() < cfg.category
        derived = None
        if rng.random() < cfg.derived:
            topic = rng.choice(sorted(DERIVED))
            derived = rng.choice(DERIVED[topic])
            table = flat_table(
                rng, n_rows, cfg.measures, int(use_cat), cfg.missing_rate, topic, (derived.a, derived.b)
            )
            series = derived_values(table, derived)
            noun = derived.noun
        else:
            table = flat_table(rng, n_rows, cfg.measures, int(use_cat), cfg.missing_rate)
            col = rng.choice(list(table.measures))
            series = table.df[col].astype(float)
            noun = table.measures[col].noun
        df = table.df
        scope_text = ""
        if use_cat and table.extra["categories"]:
            label = rng.choice(list(table.extra["categories"]))
            value = rng.choice(sorted(set(df[label])))
            if int(series[df[label] == value].notna().sum()) >= 2:
                series = series[df[label] == value]
                scope_text = " " + table.extra["categories"][label].where.format(value)
        ranked = series.dropna().round(9).sort_values(ascending=False, kind="mergesort")
        if ranked.duplicated().any():  # a derived metric can tie: rank the first measure instead
            col = next(iter(table.measures))
            series = df[col].astype(float)
            noun, scope_text, derived = table.measures[col].noun, "", None
            ranked = series.dropna().sort_values(ascending=False, kind="mergesort")
        names = [str(r) for r in ranked.index]
        n = len(names)
        high = rng.random() < 0.5
        order = names if high else names[::-1]
        word = "highest" if high else "lowest"
        mode = rng.choice(cfg.modes)
        if mode == "kth" and n < 3:
            mode = "extreme"
        gaps = " Leave out missing values." if series.isna().any() else ""
        who = f"the {table.entity_plural}{scope_text}" if scope_text else f"all {table.entity_plural}"
        first = [f"Rank {who} by {noun}" + (" (computed for each row)" if derived else "") + "."]
        if mode == "rank_of":
            k = rng.randint(1, n)
            row = order[k - 1]
            item = self.count(k)
            text = (
                f"When {who} are ranked by {noun} from {word} to {'lowest' if high else 'highest'}, what is the "
                f"rank of {row}? Rank 1 is the {word}.{gaps}"
            )
            steps = first + [f"Order: {', '.join(order)}.", f"{row} is number {k}."]
            distractors = [str(c) for c in (n + 1 - k, k + 1, k - 1) if c != k and 0 < c <= n + 1]
        else:
            k = 1 if mode == "extreme" else rng.randint(2, min(5, n - 1))
            row = order[k - 1]
            item = self.label(row)
            text = f"Which {table.entity}{scope_text} has the {ORDINALS[k]}{word} {noun}?{gaps}"
            steps = first + [f"Order from {word}: {', '.join(order[: k + 2])}, ...", f"Place {k} is {row}."]
            distractors = self.wrong_names(row, [order[-k], *order[max(0, k - 2) : k + 1], order[0]])
        return Question(
            tables=[table],
            text=text,
            items=[item],
            steps=steps,
            distractors=distractors,
            qtype=f"{mode}{'+derived' if derived else ''}{'+category' if scope_text else ''}",
        )
