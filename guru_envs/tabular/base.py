"""The frame every generated table family shares: options, prompt layout, scoring and wrong answers.

A family implements :meth:`TableQAFamily.question`, which builds tables with
:mod:`guru_envs.tabular.content`, computes the answer with pandas and returns a :class:`Question`. This
class turns it into a prompt (tables rendered in the chosen serialisation, the question, and the answer
format with its rounding and tolerance), a reference response, and the task's metadata; scoring is
:func:`guru_envs.tabular.answers.score_items` for every family.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.tabular.answers import (
    answer_text,
    clearly_different,
    format_instructions,
    number_item,
    score_items,
    task_items,
    text_item,
    tolerance_band,
)
from guru_envs.tabular.tables import FORMATS, Table, render
from guru_envs.verify import Score, normalize_text

DEFAULT_REL_TOL = 1e-3  # stated in every prompt with a computed number


@dataclass
class Question:
    """A question about one or more tables, with its answer computed by pandas.

    Attributes:
        tables: the tables shown, in order.
        text: the question.
        items: expected answer items (:mod:`guru_envs.tabular.answers`).
        steps: the reasoning of the reference response, one line each.
        distractors: plausible wrong answers (box contents), e.g. the neighbouring cell.
        before: text paragraphs shown before the tables (FinQA pre_text).
        after: text paragraphs shown after the tables (FinQA post_text).
        qtype: short name of the question type, for metadata and per-type statistics.
        count_known: for several answers, whether the question says how many there are.
    """

    tables: list[Table]
    text: str
    items: list[dict]
    steps: list[str]
    distractors: list[str] = field(default_factory=list)
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    qtype: str = ""
    count_known: bool = True


class TableQAFamily(TaskFamily):
    """Base of the generated tabular families.

    Options (``family_options={"lookup": {...}}``):
        table_format: ``markdown``, ``csv``, ``html`` or ``json`` for every task; None (default) draws one
            per task.
        rel_tol: relative tolerance stated in the prompt for computed numbers (default 1e-3).
        decimals: decimal places asked for computed numbers (default 2).
    """

    domain = "tabular"
    levels = 5
    row_meta_keys = ("items",)  # each expected item's kind, value and tolerance
    row_question = True  # a number may carry a word of the question ("12 deer", "in millions")
    guru_scorer = "tablereason"

    def __init__(
        self, table_format: str | None = None, rel_tol: float = DEFAULT_REL_TOL, decimals: int = 2
    ) -> None:
        if table_format is not None and table_format not in FORMATS:
            raise ValueError(f"table_format must be one of {FORMATS} or None, got {table_format!r}")
        if not isinstance(rel_tol, int | float) or not 0 <= rel_tol < 0.1:
            raise ValueError(f"rel_tol must be a number in [0, 0.1), got {rel_tol!r}")
        if not isinstance(decimals, int) or not 0 <= decimals <= 6:
            raise ValueError(f"decimals must be an int in 0..6, got {decimals!r}")
        self.table_format = table_format
        self.rel_tol = float(rel_tol)
        self.decimals = decimals

    # -- helpers for families ---------------------------------------------------------------------------

    def computed(self, value: float, kind: str = "number", decimals: int | None = None) -> dict:
        """An item for a computed number, rounded to the asked decimals, with the stated tolerance.

        Small values get more decimals (at least three significant digits), so rounding never makes a
        loose answer acceptable: 0.0234 is asked to 4 places, not 2.
        """
        d = self.decimals if decimals is None else decimals
        if value and math.isfinite(value):
            d = min(6, max(d, math.ceil(-math.log10(abs(value) * 0.01))))
        return number_item(value, kind, d, self.rel_tol)

    @staticmethod
    def cell(value: float, percent: bool = False) -> dict:
        """An item for a number read straight off the table (exact as displayed; ``%`` columns in percent)."""
        return number_item(value, "percent" if percent else "number", None, 0.0)

    @staticmethod
    def count(value: int) -> dict:
        """An item for a count."""
        return number_item(value, "count")

    @staticmethod
    def label(text: str) -> dict:
        """An item for a label."""
        return text_item(text)

    @staticmethod
    def wrong_numbers(item: dict, candidates: list[float], limit: int = 4) -> list[str]:
        """Box contents for wrong numbers, keeping only those clearly outside the item's tolerance."""
        out: list[str] = []
        for c in candidates:
            if c is None or not clearly_different(float(c), item):
                continue
            probe = number_item(float(c), item["kind"], item.get("decimals"), 0.0)["text"]
            if probe not in out and probe != item["text"]:
                out.append(probe)
            if len(out) >= limit:
                break
        return out

    @staticmethod
    def wrong_names(right: str, candidates: list[str], limit: int = 3) -> list[str]:
        """Other labels that do not normalise to the right one."""
        want = normalize_text(right)
        out: list[str] = []
        for c in candidates:
            if normalize_text(str(c)) != want and str(c) not in out:
                out.append(str(c))
            if len(out) >= limit:
                break
        return out

    # -- the TaskFamily contract --------------------------------------------------------------------------

    def question(self, rng: random.Random, difficulty: int) -> Question:
        """Build one question at ``difficulty`` from ``rng`` only."""
        raise NotImplementedError

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Draw the serialisation, build the question, and lay out prompt, reference and metadata."""
        fmt = rng.choice(FORMATS)  # always drawn, so forcing a format leaves the rest of the task unchanged
        q = self.question(rng, difficulty)
        fmt = self.table_format or fmt
        if not q.distractors and len(q.items) == 1:  # every task needs wrong answers to test against
            item = q.items[0]
            if item["kind"] == "text":
                q.distractors = ["none of them"]
            else:
                v = item["value"]
                q.distractors = self.wrong_numbers(item, [2 * v + 1, v - 10 * tolerance_band(item) - 1])
        several = len(q.items) > 1
        prompt = self._prompt(q, fmt, several)
        shown = " | ".join(i["text"] for i in q.items)
        reference = "\n".join(q.steps) + f"\n\nThe answer is \\boxed{{{shown}}}."
        answer = answer_text(q.items)
        meta: dict[str, Any] = {
            "items": q.items,
            "format": fmt,
            "question_type": q.qtype,
            "topics": [t.extra.get("topic", t.topic) for t in q.tables],
            "distractors": [d for d in dict.fromkeys(q.distractors) if d != answer and d != shown][:8],
        }
        return Problem(prompt=prompt, answer=answer, reference_response=reference, meta=meta)

    @staticmethod
    def _prompt(q: Question, fmt: str, several: bool) -> str:
        n = len(q.tables)
        what = "a table" if n == 1 else f"{n} tables"
        if q.before or q.after:
            what += " and some text from a report"
        parts = [f"You are given {what}. Use the information to answer the question."]
        if q.before:
            parts.append("\n".join(q.before))
        for i, table in enumerate(q.tables, 1):
            block = render(table, fmt)
            parts.append(f"Table {i}: {block}" if n > 1 else block)
        if q.after:
            parts.append("\n".join(q.after))
        parts.append(f"Question: {q.text}")
        parts.append(format_instructions(q.items, several, q.count_known))
        return "\n\n".join(parts)

    def guru_unscorable(self, task: Task) -> str:
        """GURU's tablereason pays no negative percentage: its number reading takes no sign before a ``%``."""
        items = task_items(task.answer, task.meta)
        if any(i.get("kind") == "percent" and (i.get("value") or 0) < 0 for i in items):
            return (
                "GURU's tablereason scorer pays no negative percentage (e.g. -1.5%), not even the exact one"
            )
        return super().guru_unscorable(task)

    def score(self, task: Task, response: str) -> Score:
        """The boxed answer (one, or boxes that repeat it); numbers within the tolerance; names normalised.

        Several items are matched as an unordered set; a number must be one claim, whose trailing text is
        a word of the question or the asked value's unit (see :func:`guru_envs.tabular.answers.score_items`).
        """
        return score_items(response, task_items(task.answer, task.meta), question=task.prompt)

    def wrong_responses(self, task: Task) -> list[str]:
        """The question's distractors, a hedge, a right-then-wrong pair of boxes, and the answer left unboxed."""
        items = task_items(task.answer, task.meta)
        shown = " | ".join(i["text"] for i in items)
        wrong = list(task.meta.get("distractors", []))
        out = [f"Reading the table carefully, the answer is \\boxed{{{d}}}." for d in wrong]
        if wrong:
            out.append(f"I first thought \\boxed{{{shown}}}, but on reflection it is \\boxed{{{wrong[0]}}}.")
            if len(items) == 1:
                out.append(f"It is one of these: \\boxed{{{shown} | {wrong[0]}}}.")
        if len(items) > 1:
            out.append(f"The answer is \\boxed{{{' | '.join(i['text'] for i in items[:-1])}}}.")
        out.append(f"The answer is {shown}.")
        return out


def nice_between(low: float, high: float) -> float:
    """The roundest number strictly between ``low`` and ``high`` (a threshold no cell equals)."""
    if not high > low:
        raise ValueError(f"need low < high, got {low}, {high}")
    k = math.floor(math.log10(high - low)) + 1
    for exp in range(k, k - 12, -1):
        step = 10.0**exp
        candidate = (math.floor(low / step) + 1) * step
        if low < candidate < high:
            return round(candidate, max(0, -exp))
    return (low + high) / 2


def threshold_text(value: float) -> str:
    """A threshold as written in a question: thousands separators, no trailing zeros."""
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
