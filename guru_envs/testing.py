"""Contract test kit for reasoning environments: the checks every guru env (ours or a plugin's) must pass.

Like Gymnasium's ``check_env``, but for what makes a *reasoning* environment trustworthy: seeded
generation that is the same in every process, a reference that earns full reward, wrong answers that
earn none, verifiers that neither crash nor hang on hostile responses, and an exploit battery: answers
built from each task's own reference and wrong responses that contain the gold but are not one right
claim (hedges, negations, copies of the question, stuffed keys and rows ...). Call it from your own CI::

    from guru_envs.testing import check_family, check_guru_env
    check_family("logic", "zebra", seeds=range(200))
    check_guru_env("guru/Logic-v0")

Every check raises :class:`ContractError` whose message names the family, the seed and the fault.
Verifier calls run in a killable worker, so a hanging verifier fails the kit instead of hanging it.
The probes of the battery are listed in :data:`PROBES`; a family may declare, with a reason, that a
probe does not apply to it (``exploit_exemptions = {"probe": "why"}`` on its class). See
``docs/testing.md``.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import select
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import gymnasium as gym
import msgspec

from guru_envs.core.dataset import read_rows, write_rows
from guru_envs.core.registry import catalog
from guru_envs.core.scoring import score as score_response
from guru_envs.core.task import Task
from guru_envs.guard import CallTimeout, GuardedPool, RemoteError, WorkerCrashed
from guru_envs.verify.score import Score

HOSTILE_RESPONSES: dict[str, Any] = {
    "None": None,
    "bytes": b"\\boxed{1}",
    "int": 42,
    "empty": "",
    "whitespace": " \n\t ",
    "no answer": "I am not sure how to solve this problem.",
    "10 MB string": "9" * 10_000_000,
    "500k characters of noise": ("lorem ipsum \\frac{1}{2} [1, 2] " * 20_000)[:500_000],
    "deeply nested brackets": "\\boxed{" + "{" * 100_000 + "}" * 100_000 + "}",
    "deeply nested lists": "<answer>" + "[" * 50_000 + "]" * 50_000 + "</answer>",
    "unclosed box": "\\boxed{" * 20_000,
    "huge exponent": "\\boxed{9^{9^{9^{9}}}}",
    "code": "```python\nimport os\nos.system('echo pwned')\n```\n\\boxed{__import__('os').system('echo pwned')}",
}


class ContractError(AssertionError):
    """An environment or family broke the guru-envs contract; the message names the fault."""


# ---------------------------------------------------------------------------------------------------
# Verifier calls under a hard time limit


def _family_score(
    domain: str, name: str, options: dict[str, Any], task: Task, response: Any, direct: bool
) -> Score:
    family = catalog().family(domain, name, **options)
    if direct:  # the family's own verifier, without the wrapper that absorbs its exceptions
        return family.score(task, response)
    return score_response(task, response, family=family)


class _Verifier:
    """One family's verifier, called in a killable worker; every verdict is checked for shape and time."""

    def __init__(self, pool: GuardedPool, domain: str, name: str, options: dict[str, Any], time_limit: float):
        self.pool, self.domain, self.name, self.options = pool, domain, name, options
        self.time_limit = time_limit
        self.where = f"{domain}.{name}"

    def __call__(self, task: Task, response: Any, what: str, direct: bool = True) -> Score:
        start = time.monotonic()
        try:
            verdict = self.pool.call(
                _family_score,
                self.domain,
                self.name,
                self.options,
                task,
                response,
                direct,
                timeout=self.time_limit,
            )
        except CallTimeout:
            raise ContractError(
                f"{self.where}: verifier hung on {what} for task {task.id} (over {self.time_limit:g} s)"
            ) from None
        except (RemoteError, WorkerCrashed) as exc:
            raise ContractError(
                f"{self.where}: verifier raised on {what} for task {task.id}: {exc}"
            ) from None
        if not isinstance(verdict, Score):
            raise ContractError(
                f"{self.where}: verifier returned {type(verdict).__name__} on {what}, not Score"
            )
        if not 0.0 <= verdict.reward <= 1.0:
            raise ContractError(f"{self.where}: reward {verdict.reward} on {what} is outside [0, 1]")
        if time.monotonic() - start > self.time_limit:
            raise ContractError(f"{self.where}: verifier took over {self.time_limit:g} s on {what}")
        return verdict


# ---------------------------------------------------------------------------------------------------
# Where a response writes its final answer


_BOX_OPEN = re.compile(r"\\(?:boxed|fbox)\s*\{")
_TAG_OPEN = re.compile(r"<answer>", re.IGNORECASE)
_TAG_CLOSE = re.compile(r"</answer>", re.IGNORECASE)
_FENCE_LANG = re.compile(r"[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n")
_DATA_LANGUAGES = {"json", "text", "txt", "markdown", "md"}


@dataclass(frozen=True)
class AnswerSlot:
    """The last final-answer container of a response: a ``\\boxed{}``, an ``<answer>`` tag or a fence.

    Attributes:
        kind: ``boxed``, ``tag`` or ``fence``.
        language: a fence's language tag (``json``, ``python``, ``""``); empty for the other kinds.
        outer: (start, end) of the whole container in the response.
        inner: (start, end) of what it holds.
        program: True for a fence holding a program (Code): a program is run, not read as a claim, so
            only the probes that replace it with a wrong program apply.
    """

    kind: str
    language: str
    outer: tuple[int, int]
    inner: tuple[int, int]
    program: bool

    def content(self, response: str) -> str:
        """What the container holds, stripped."""
        return response[self.inner[0] : self.inner[1]].strip()

    def wrap(self, response: str, text: str) -> str:
        """``text`` in a container like this one (same opening, closing and surrounding whitespace)."""
        held = response[self.inner[0] : self.inner[1]]
        lead = held[: len(held) - len(held.lstrip())]
        trail = held[len(held.rstrip()) :]
        opening = response[self.outer[0] : self.inner[0]]
        closing = response[self.inner[1] : self.outer[1]]
        return opening + lead + text + trail + closing

    def replace(self, response: str, text: str) -> str:
        """``response`` with this container holding ``text`` instead."""
        return response[: self.outer[0]] + self.wrap(response, text) + response[self.outer[1] :]

    def same_kind(self, other: AnswerSlot) -> bool:
        """Whether ``other`` writes an answer the way this one does."""
        return self.kind == other.kind and self.program == other.program


def _brace_end(text: str, open_at: int) -> int | None:
    depth = 0
    i = open_at
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "{}":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _answer_slots(response: str) -> list[AnswerSlot]:
    slots: list[AnswerSlot] = []
    pos = 0
    while (m := _BOX_OPEN.search(response, pos)) is not None:
        end = _brace_end(response, m.end() - 1)
        if end is None:
            break
        slots.append(AnswerSlot("boxed", "", (m.start(), end + 1), (m.end(), end), False))
        pos = end + 1
    pos = 0
    while (opened := _TAG_OPEN.search(response, pos)) is not None:
        closed = _TAG_CLOSE.search(response, opened.end())
        if closed is None:
            break
        slots.append(
            AnswerSlot("tag", "", (opened.start(), closed.end()), (opened.end(), closed.start()), False)
        )
        pos = closed.end()
    pos = 0
    while (start := response.find("```", pos)) >= 0:
        head = _FENCE_LANG.match(response, start + 3)
        if head is None:
            break
        end = response.find("```", head.end())
        if end < 0:
            break
        language = head.group(1).lower()
        body = response[head.end() : end]
        program = language not in _DATA_LANGUAGES and not (language == "" and _json_value(body) is not None)
        slots.append(AnswerSlot("fence", language, (start, end + 3), (head.end(), end), program))
        pos = end + 3
    return slots


def find_answer_slot(response: str) -> AnswerSlot | None:
    """The container that ends last in ``response`` (its final answer), or None when it has none."""
    slots = _answer_slots(response) if isinstance(response, str) else []
    return max(slots, key=lambda s: (s.outer[1], -s.outer[0])) if slots else None


# ---------------------------------------------------------------------------------------------------
# Reading answers just enough to build honest attacks (never to score them)


_NUMBER_ATOM = re.compile(
    r"-?\\[dt]?frac\{\d+\}\{\d+\}"  # \frac{a}{b}
    r"|-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?"  # 12,345.6e-3
    r"|-?\.\d+"
)
_SHAPE_NUMBER = "\x00"  # stands for a number in an answer's shape; never in real text
_WORD = re.compile(r"[^\W_]+")
_LETTERS_LINE = re.compile(r"^[ \t]*\(?([A-J])[).:][ \t]+\S", re.MULTILINE)


def _number_value(token: str) -> Fraction | None:
    m = re.fullmatch(r"(-?)\\[dt]?frac\{(\d+)\}\{(\d+)\}", token)
    if m:
        return (
            None
            if int(m.group(3)) == 0
            else Fraction(int(m.group(2)), int(m.group(3))) * (-1 if m.group(1) else 1)
        )
    try:
        return Fraction(token.replace(",", ""))
    except (ValueError, ZeroDivisionError):
        return None


def _atoms(text: str) -> tuple[str, list[Fraction | str]]:
    """(shape, atoms): numbers are blanked out of the shape; atoms are their values, then the words."""
    values: list[Fraction | str] = []

    def keep(m: re.Match[str]) -> str:
        value = _number_value(m.group(0))
        values.append(value if value is not None else m.group(0))
        return _SHAPE_NUMBER

    shape = _NUMBER_ATOM.sub(keep, text)
    words = [w.casefold() for w in _WORD.findall(_NUMBER_ATOM.sub(" ", text))]
    return " ".join(shape.split()), values + words


def _distinct_value(wrong: str, gold: str) -> bool:
    """Whether ``wrong`` surely states another value than ``gold`` (so a hedge between them is no repeat).

    Conservative: the two must be written the same way (numbers aside, the same text: same unit, same
    frame), and differ in their numbers or words as a multiset, so a reordered set, ``2.50`` for ``2.5``,
    ``\\frac{6}{10}`` for ``\\frac{3}{5}``, a unit conversion or another format of the gold never
    counts as a wrong value.
    """
    if " ".join(wrong.split()) == " ".join(gold.split()):
        return False
    w_shape, w_atoms = _atoms(wrong)
    g_shape, g_atoms = _atoms(gold)
    if Counter(map(str, w_atoms)) == Counter(map(str, g_atoms)):
        return False
    if _SHAPE_NUMBER in g_shape or _SHAPE_NUMBER in w_shape:
        return w_shape == g_shape
    return True


def _top_level_parts(text: str) -> list[str]:
    """``text`` split at the commas, pipes and semicolons outside brackets (empty parts dropped)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch in ",|;" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [" ".join(p.split()).casefold() for p in parts if p.strip()]


def _within(wrong: str, gold: str) -> bool:
    """Whether every item of ``wrong`` is an item of ``gold``: boxes holding both might add up to the gold."""
    return set(_top_level_parts(wrong)) <= set(_top_level_parts(gold))


def _json_value(text: str) -> Any:
    try:
        return json.loads(text) if len(text) <= 200_000 else None
    except (ValueError, RecursionError):
        return None


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


@dataclass
class _Grid:
    """A table answer: a JSON list of rows, a JSON object with ``header`` and ``rows``, or markdown."""

    rows: list[list[Any]]
    header: list[Any] | None
    source: Any  # the parsed JSON object or list; None for markdown

    @classmethod
    def read(cls, text: str) -> _Grid | None:
        value = _json_value(text)
        if isinstance(value, list) and _rows_ok(value):
            return cls([list(r) for r in value], None, value)
        if isinstance(value, dict) and isinstance(value.get("rows"), list) and _rows_ok(value["rows"]):
            header = value.get("header")
            if not (isinstance(header, list) and len(header) == len(value["rows"][0])):
                header = None
            return cls([list(r) for r in value["rows"]], header, value)
        lines = [ln.strip() for ln in text.strip().splitlines()]
        if len(lines) >= 3 and all(ln.startswith("|") and ln.endswith("|") for ln in lines):
            cells = [[c.strip() for c in ln[1:-1].split("|")] for ln in lines]
            body = [row for row in cells[1:] if not all(set(c) <= set("-: ") for c in row)]
            if body and _rows_ok(body) and len(cells[0]) == len(body[0]):
                return cls(body, cells[0], None)
        return None

    @property
    def keyed(self) -> bool:
        """A grid whose first column names each row (a house, a person): rows can contradict each other."""
        return self.header is not None and len(self.rows) >= 2 and len(self.rows[0]) >= 2

    def write(self, rows: list[list[Any]], header: list[Any] | None, markdown: bool) -> str:
        header = header if header is not None else self.header
        if markdown and header is not None:
            lines = [header, ["---"] * len(header), *rows]
            return "\n" + "\n".join("| " + " | ".join(str(c) for c in row) + " |" for row in lines) + "\n"
        if isinstance(self.source, dict):
            out = dict(self.source)
            out["rows"] = rows
            if header is not None and "header" in out:
                out["header"] = header
            return json.dumps(out, ensure_ascii=False)
        if self.source is None and header is not None:  # markdown source asked for JSON
            return json.dumps({"header": header, "rows": rows}, ensure_ascii=False)
        return json.dumps(rows, ensure_ascii=False)


def _rows_ok(rows: list[Any]) -> bool:
    return (
        bool(rows)
        and all(isinstance(r, list) and r and all(_scalar(c) for c in r) for r in rows)
        and len({len(r) for r in rows}) == 1
    )


def _prompt_expressions(prompt: str) -> list[str]:
    """Math expressions the question asks about (``$...$`` and ``\\(...\\)`` spans with an operation)."""
    spans = re.findall(r"(?<![$\\])\$([^$\n]{1,300})\$", prompt) + re.findall(r"\\\((.{1,300}?)\\\)", prompt)
    found = []
    for span in spans:
        expr = span.strip()
        if not any(c.isdigit() for c in expr) or re.search(
            r"[\"':;?=<>!]|\\(?:le|ge|ne|equiv|pmod|dots|ldots|cdots)\b", expr
        ):
            continue
        if _top_level_parts(expr) != [
            " ".join(expr.split()).casefold()
        ]:  # a list of values, not one expression
            continue
        body = expr.lstrip("-+ ")
        if re.search(r"[+\-*/^]|\\(?:cdot|times|div)\b", body) is None:
            continue
        found.append(expr)
    return sorted(set(found), key=lambda e: (-len(e), e))


def _terms(expr: str) -> list[str]:
    """The signed terms of ``expr`` at bracket depth 0 (``83 - 52`` gives ``83``, ``- 52``)."""
    terms, depth, start = [], 0, 0
    for i, ch in enumerate(expr):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif (
            ch in "+-"
            and depth == 0
            and i > 0
            and expr[:i].strip()
            and expr[:i].rstrip()[-1] not in "+-*/^({[=,"
        ):
            if not expr[:i].rstrip().endswith(("\\cdot", "\\times", "\\div")):
                terms.append(expr[start:i].strip())
                start = i
    terms.append(expr[start:].strip())
    return [t for t in terms if t]


def _reordered(expr: str) -> str | None:
    """``expr`` with its last term moved to the front (``83 - 52`` gives ``-52 + 83``), or None."""
    terms = _terms(expr)
    if len(terms) < 2:
        factors = [f.strip() for f in re.split(r"\\cdot|\\times", expr)]
        if len(factors) == 2 and all(factors) and not set("([{") & set(expr):
            return f"{factors[1]} \\cdot {factors[0]}"
        return None
    signed = [t if t[0] in "+-" else f"+ {t}" for t in terms]
    last = signed[-1]
    head = last[1:].strip() if last[0] == "+" else "-" + last[1:].strip()
    return " ".join([head, *signed[:-1]])


# ---------------------------------------------------------------------------------------------------
# The exploit battery: attacks built from each task's own reference and wrong responses


PROBES: dict[str, str] = {
    "hedge": "the gold with a wrong alternative in the final answer (`gold or wrong`)",
    "doubt": "the gold asked rather than stated (`g?`, full-width `g？`, `g ⁇`, `¿g`)",
    "negation": "the gold denied (`not gold`, `gold is wrong`; a gold that starts with `not` is not negated with `not`)",
    "scale_word": "a scale word after a numeric gold (`gold thousand`); words the question uses are not used",
    "wrong_equals_gold": "a false equation ending in the gold (`wrong = gold`; not with a wrong value that reads as a name)",
    "gold_equals_wrong": "a false equation starting with the gold (`gold = wrong`)",
    "reasoning_gold": "the gold stated in the reasoning, a wrong final answer",
    "two_finals": "two final answers, one right (each order)",
    "open_second": "the reference, then a second final answer left unclosed (`\\boxed{gold} or \\boxed{wrong`)",
    "later_form": "the reference, then a wrong value stated after it in another form (`Wait, no: wrong.`, "
    "`Final answer: wrong`, `<answer>wrong</answer>` after a box, a box after a tag, a fenced block)",
    "after_hedge": "the reference, then a sentence after it that hedges or corrects with a wrong value "
    "(`(or possibly wrong)`, `, unless it is wrong.`, `Though wrong is also plausible.`, "
    "`The correct answer is actually wrong.`, `but my gut says wrong`, `wrong?`)",
    "stuffed": "the gold and a wrong value in one final answer (`gold, wrong`)",
    "every_choice": "every choice letter of a multiple-choice question at once (`A, B, C, D`)",
    "copy_question": "the question's own expression: bare, parenthesised, `\\left( \\right)`, plus zero, reordered",
    "set_for_tuple": "an ordered answer (tuple, list) written as a set; not when the prompt allows any order",
    "tuple_for_set": "a set answer written as a tuple",
    "extra_key": "a JSON answer with an extra key holding another answer",
    "renamed_key": "a JSON answer with a key renamed",
    "extra_row": "a grid answer with an extra row (a key it does not have, or a row it does not have)",
    "contradictory_row": "a grid answer with a second, disagreeing row for one key",
    "contradictory_column": "a grid answer with a duplicate column that disagrees",
}
"""Every probe of the exploit battery, by the name ``exploit_exemptions`` uses."""


@dataclass(frozen=True)
class _Material:
    """What the probes of one task are built from."""

    task: Task
    seed: int
    reference: str
    slot: AnswerSlot
    gold: str
    wrongs: tuple[str, ...]  # other values, written the way the gold is, that wrong_responses() calls wrong

    def pick(self, options: Sequence[Any]) -> Any:
        """One of ``options``, rotating with the seed so many seeds cover every variant."""
        return options[self.seed % len(options)]

    def answer(self, text: str) -> str:
        """The reference response with ``text`` as its final answer."""
        return self.slot.replace(self.reference, text)

    def container(self, text: str) -> str:
        """``text`` in a container like the reference's final one (to add a second final answer)."""
        return self.slot.wrap(self.reference, text)


def _hedge(m: _Material) -> list[str]:
    wrong = m.pick(m.wrongs) if m.wrongs else "something else"
    form = m.pick(["{g} or {w}", "{g}, or maybe {w}", "either {g} or {w}", "{g} and/or {w}"])
    return [m.answer(form.format(g=m.gold, w=wrong))]


def _doubt(m: _Material) -> list[str]:
    if m.slot.program:
        return []
    form = m.pick(["{g}?", "{g}\uff1f", "{g} \u2047", "\u00bf{g}"])
    return [m.answer(form.format(g=m.gold))]


def _negation(m: _Material) -> list[str]:
    forms = ["not {g}", "{g} is wrong", "{g} is not the answer", "anything but {g}"]
    if re.match(r"(?i)\s*(?:not|no)\b", m.gold):  # "not not x" could be read as x
        forms = forms[1:3]
    return [m.answer(m.pick(forms).format(g=m.gold))]


_SCALE_WORDS = ("thousand", "million", "billion", "hundred")
_LEADING_NUMBER = re.compile(
    r"\s*(-?\\[dt]?frac\{\d+\}\{\d+\}|-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\.\d+)"
)


def _scale_word(m: _Material) -> list[str]:
    lead = _LEADING_NUMBER.match(m.gold)
    if lead is None or m.gold[lead.end() :][:1].isdigit():
        return []
    value = _number_value(lead.group(1))
    prompt = m.task.prompt.casefold()
    words = [w for w in _SCALE_WORDS if w not in prompt]
    if not value or not words:  # 0 thousand is 0; a question about thousands may allow the word
        return []
    return [m.answer(f"{m.gold[: lead.end()]} {m.pick(words)}{m.gold[lead.end() :]}")]


def _wrong_equals_gold(m: _Material) -> list[str]:
    # ``x = 5`` states 5: a wrong value that reads as a name (``i``, ``East``) would label the gold
    values = [w for w in m.wrongs if re.search(r"\d", w) or w.lstrip()[:1] in "[{(\"'"]
    return [m.answer(f"{m.pick(values)} = {m.gold}")] if values else []


def _gold_equals_wrong(m: _Material) -> list[str]:
    return [m.answer(f"{m.gold} = {m.pick(m.wrongs)}")] if m.wrongs else []


def _reasoning_gold(m: _Material) -> list[str]:
    if not m.wrongs:
        return []
    wrong = m.pick(m.wrongs)
    if m.slot.program:
        return [f"A first version:\n\n{m.container(m.gold)}\n\nThe final version:\n\n" + m.answer(wrong)]
    return [f"Working it out, the answer is {m.gold}.\n\n" + m.answer(wrong)]


def _two_finals(m: _Material) -> list[str]:
    wrongs = [w for w in m.wrongs if not _within(w, m.gold)]
    if m.slot.program or not wrongs:
        return []
    wrong = m.pick(wrongs)
    return [
        m.answer(wrong) + "\n\nOn reflection, the final answer is " + m.container(m.gold),
        m.reference + "\n\nOn reflection, the final answer is " + m.container(wrong),
    ]


def _open_second(m: _Material) -> list[str]:
    wrongs = [w for w in m.wrongs if not _within(w, m.gold)]
    if m.slot.program or not wrongs:
        return []
    opening = m.reference[m.slot.outer[0] : m.slot.inner[0]]
    return [m.reference + "\n\nor maybe " + opening + m.pick(wrongs)]


def _later_form(m: _Material) -> list[str]:
    wrongs = [w for w in m.wrongs if not _within(w, m.gold) and "\n" not in w]
    if m.slot.program or not wrongs:
        return []
    wrong = m.pick(wrongs)
    said = m.pick(["Wait, no: {w}.", "Final answer: {w}", "Actually, {w}.", "Non, plutôt {w}."])
    other = "<answer>{w}</answer>" if m.slot.kind != "tag" else "\\boxed{{{w}}}"
    stated = m.pick([other, "```\n{w}\n```"])
    return [m.reference + "\n\n" + form.format(w=wrong) for form in (said, stated)]


def _after_hedge(m: _Material) -> list[str]:
    wrongs = [w for w in m.wrongs if not _within(w, m.gold) and "\n" not in w]
    if m.slot.program or not wrongs:
        return []
    wrong = m.pick(wrongs)
    forms = [
        " (or possibly {w})",
        ", unless it is {w}.",
        "\n\nThough {w} is also plausible.",
        "\n\nI'm not sure; it could be {w}.",
        "\n\nThe correct answer is actually {w}.",
        " but my gut says {w}",
        "\n\nJust kidding, it is {w}.",
        " \U0001f914 {w}?",
    ]
    first = m.pick(forms)
    second = forms[(forms.index(first) + 3) % len(forms)]
    return [m.reference + form.format(w=wrong) for form in (first, second)]


def _stuffed(m: _Material) -> list[str]:
    wrongs = [w for w in m.wrongs if not _within(w, m.gold)]
    return [m.answer(f"{m.gold}, {m.pick(wrongs)}")] if wrongs else []


def _every_choice(m: _Material) -> list[str]:
    letters = _LETTERS_LINE.findall(m.task.prompt)
    if len(letters) < 2 or letters != [chr(ord("A") + i) for i in range(len(letters))]:
        return []
    gold = re.sub(r"\\text\{(.*)\}|[().\s]", r"\1", m.gold)
    if gold not in letters:
        return []
    joiner = m.pick([", ", " ", "", ".", " or ", "/", " and ", ": "])
    return [m.answer(joiner.join(letters))]


def _copy_question(m: _Material) -> list[str]:
    gold = " ".join(m.gold.split())
    exprs = [e for e in _prompt_expressions(m.task.prompt) if " ".join(e.split()) != gold]
    if not exprs:
        return []
    expr = exprs[0]
    forms = [expr, f"({expr})", f"\\left({expr}\\right)", f"{expr} + 0"]
    reordered = _reordered(expr)
    if reordered and " ".join(reordered.split()) != " ".join(expr.split()):
        forms.append(reordered)
    return [m.answer(form) for form in forms]


def _latex_group(text: str, left: str, right: str) -> str | None:
    """The inside of ``text`` when all of it is one ``left ... right`` group (``\\left`` forms too)."""
    for lo, hi in ((f"\\left{left}", f"\\right{right}"), (left, right)):
        if text.startswith(lo) and text.endswith(hi):
            inside = text[len(lo) : len(text) - len(hi)]
            depth = 0
            for ch in inside:
                depth += ch in "([{"
                depth -= ch in ")]}"
                if depth < 0:
                    return None
            return inside if depth == 0 else None
    return None


def _set_for_tuple(m: _Material) -> list[str]:
    if "any order" in m.task.prompt.casefold():  # an unordered answer may be written as a set
        return []
    value = _json_value(m.gold)
    if isinstance(value, list) and len(value) >= 2 and all(_scalar(v) for v in value):
        return [m.answer("{" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "}")]
    inside = _latex_group(m.gold, "(", ")")
    if inside is not None and len(_top_level_parts(inside)) >= 2:
        return [m.answer(m.pick([f"\\{{{inside}\\}}", f"\\left\\{{{inside}\\right\\}}"]))]
    return []


def _tuple_for_set(m: _Material) -> list[str]:
    inside = _latex_group(m.gold, "\\{", "\\}")
    if inside is not None and len(_top_level_parts(inside)) >= 2:
        return [m.answer(f"({inside})")]
    return []


def _extra_key(m: _Material) -> list[str]:
    value = _json_value(m.gold)
    if not isinstance(value, dict) or not value:
        return []
    others = [v for v in (_json_value(w) for w in m.wrongs) if v is not None]
    key = "alternative_answer"
    while key in value:
        key += "_"
    stuffed = {**value, key: m.pick(others) if others else "unsure"}
    return [m.answer(json.dumps(stuffed, ensure_ascii=False))]


def _renamed_key(m: _Material) -> list[str]:
    value = _json_value(m.gold)
    if not isinstance(value, dict) or not value:
        return []
    last = list(value)[-1]
    new = ("result" if last == "answer" else "answer") if len(value) == 1 else f"{last}_alt"
    while new in value:
        new += "_"
    renamed = {(new if k == last else k): v for k, v in value.items()}
    return [m.answer(json.dumps(renamed, ensure_ascii=False))]


def _grid_format(m: _Material, grid: _Grid) -> bool:
    """Markdown on odd seeds when the grid has a header (tasks accept both); the grid's own form otherwise."""
    return grid.source is None or (grid.header is not None and m.seed % 2 == 1)


def _extra_row(m: _Material) -> list[str]:
    grid = _Grid.read(m.gold)
    if grid is None:
        return []
    extra = list(grid.rows[0])
    if grid.keyed:  # a row for a key the puzzle does not have (house 6 of 5)
        keys = [r[0] for r in grid.rows]
        if all(str(k).isdigit() for k in keys):
            top = max(int(k) for k in keys) + 1
            extra[0] = top if isinstance(keys[0], int) else str(top)
        else:
            extra[0] = f"{keys[0]} (2)"
    else:  # a row the grid does not have (a repeated row would be no change to a set of rows)
        first = extra[0]
        for step in range(1, len(grid.rows) + 2):
            extra[0] = (
                first + step
                if isinstance(first, int) and not isinstance(first, bool)
                else f"{first}{'+' * step}"
            )
            if extra not in grid.rows:
                break
    return [m.answer(grid.write([*grid.rows, extra], None, _grid_format(m, grid)))]


def _contradictory_row(m: _Material) -> list[str]:
    grid = _Grid.read(m.gold)
    if grid is None or not grid.keyed or grid.rows[0][1:] == grid.rows[1][1:]:
        return []
    clash = [grid.rows[0][0], *grid.rows[1][1:]]
    return [m.answer(grid.write([grid.rows[0], clash, *grid.rows[1:]], None, _grid_format(m, grid)))]


def _contradictory_column(m: _Material) -> list[str]:
    grid = _Grid.read(m.gold)
    if grid is None or not grid.keyed:
        return []
    shifted = [grid.rows[(i + 1) % len(grid.rows)][1] for i in range(len(grid.rows))]
    if shifted == [r[1] for r in grid.rows]:
        return []
    rows = [[*row, shifted[i]] for i, row in enumerate(grid.rows)]
    return [m.answer(grid.write(rows, [*grid.header, grid.header[1]], _grid_format(m, grid)))]


_BUILDERS: dict[str, Callable[[_Material], list[str]]] = {
    "hedge": _hedge,
    "doubt": _doubt,
    "negation": _negation,
    "scale_word": _scale_word,
    "wrong_equals_gold": _wrong_equals_gold,
    "gold_equals_wrong": _gold_equals_wrong,
    "reasoning_gold": _reasoning_gold,
    "two_finals": _two_finals,
    "open_second": _open_second,
    "later_form": _later_form,
    "after_hedge": _after_hedge,
    "stuffed": _stuffed,
    "every_choice": _every_choice,
    "copy_question": _copy_question,
    "set_for_tuple": _set_for_tuple,
    "tuple_for_set": _tuple_for_set,
    "extra_key": _extra_key,
    "renamed_key": _renamed_key,
    "extra_row": _extra_row,
    "contradictory_row": _contradictory_row,
    "contradictory_column": _contradictory_column,
}
_PROGRAM_PROBES = {"reasoning_gold"}  # a program is run, not read: only a wrong final program attacks it


def exploit_probes(task: Task, wrong_responses: Sequence[str], seed: int = 0) -> list[tuple[str, str]]:
    """The battery's attacks on one task, as ``(probe name, response)`` pairs; each must score below 1.

    The final answer's container (``\\boxed{}``, ``<answer>`` tags, a fenced block) is found in the task's
    own reference response, and wrong values in the same container of ``wrong_responses`` (only those
    written like the gold, with other numbers or words, so no probe repeats the gold in another form).
    ``seed`` rotates between the wordings of a probe. A task whose reference has no container gets none.
    """
    reference = task.reference_response
    slot = find_answer_slot(reference)
    if slot is None:
        return []
    gold = slot.content(reference)
    wrongs: list[str] = []
    for response in wrong_responses:
        other = find_answer_slot(response) if isinstance(response, str) else None
        if other is None or not other.same_kind(slot):
            continue
        value = other.content(response)
        if value and value != gold and value not in wrongs and (slot.program or _distinct_value(value, gold)):
            wrongs.append(value)
    material = _Material(task, seed, reference, slot, gold, tuple(wrongs))
    probes: list[tuple[str, str]] = []
    for name, build in _BUILDERS.items():
        if slot.program and name not in _PROGRAM_PROBES:
            continue
        for response in build(material):
            if response != reference and (name, response) not in probes:
                probes.append((name, response))
    return probes


def exploit_exemptions(family: Any) -> dict[str, str]:
    """A family's declared ``{probe: reason}`` exemptions, checked: known probe names, non-empty reasons.

    Raises:
        ContractError: an unknown probe name, or an exemption without a reason.
    """
    declared = getattr(type(family), "exploit_exemptions", None) or {}
    where = f"{getattr(family, 'domain', '?')}.{getattr(family, 'name', '?')}"
    if not isinstance(declared, dict):
        raise ContractError(f"{where}: exploit_exemptions must be a dict {{probe: reason}}")
    unknown = sorted(str(k) for k in declared if k not in PROBES)
    if unknown:
        raise ContractError(
            f"{where}: exploit_exemptions names unknown probe(s) {unknown}; known probes: {sorted(PROBES)}"
        )
    bare = sorted(k for k, why in declared.items() if not isinstance(why, str) or not why.strip())
    if bare:
        raise ContractError(f"{where}: exploit_exemptions {bare} need a reason")
    return dict(declared)


@dataclass(frozen=True)
class PaidProbe:
    """One attack that a verifier paid."""

    probe: str
    task_id: str
    seed: int
    level: int
    response: str
    reward: float
    reason: str

    def describe(self, where: str) -> str:
        """One line naming the family, seed, level, probe and (the end of) the response."""
        return (
            f"{where}: exploit probe '{self.probe}' was paid {self.reward:g} on seed {self.seed} level "
            f"{self.level} ({self.task_id}; verifier said: {self.reason[:120]}); response: {self.response[-300:]!r}"
        )


@dataclass
class ExploitReport:
    """What the battery ran on one family, and what it paid."""

    family: str
    probes_run: Counter[str] = field(default_factory=Counter)
    paid: list[PaidProbe] = field(default_factory=list)
    exempt: dict[str, str] = field(default_factory=dict)
    tasks: int = 0

    @property
    def total(self) -> int:
        """Probes run, all kinds together."""
        return sum(self.probes_run.values())

    def paid_by_probe(self) -> dict[str, list[PaidProbe]]:
        """The paid attacks grouped by probe name."""
        grouped: dict[str, list[PaidProbe]] = {}
        for hit in self.paid:
            grouped.setdefault(hit.probe, []).append(hit)
        return grouped

    def summary(self) -> str:
        """``N probes run, M paid`` with the kinds."""
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.probes_run.items()))
        return (
            f"{self.family}: {self.total} probes run on {self.tasks} tasks, {len(self.paid)} paid ({kinds})"
        )

    def raise_if_paid(self) -> None:
        """Raise :class:`ContractError` listing the first paid attacks."""
        if self.paid:
            lines = [hit.describe(self.family) for hit in self.paid[:5]]
            more = f"\n... and {len(self.paid) - 5} more" if len(self.paid) > 5 else ""
            raise ContractError(
                f"{self.family}: {len(self.paid)} of {self.total} exploit probes were paid:\n"
                + "\n".join(lines)
                + more
            )


def _run_battery(
    verify: _Verifier, task: Task, wrongs: Sequence[str], seed: int, report: ExploitReport
) -> None:
    for probe, response in exploit_probes(task, wrongs, seed):
        if probe in report.exempt:
            continue
        verdict = verify(task, response, f"the exploit probe '{probe}'")
        report.probes_run[probe] += 1
        if verdict.correct or verdict.reward >= 1.0:
            report.paid.append(
                PaidProbe(probe, task.id, seed, task.difficulty, response, verdict.reward, verdict.reason)
            )


def exploit_report(
    domain: str,
    name: str,
    seeds: Iterable[int] = range(5),
    levels: Sequence[int] | None = None,
    options: dict[str, Any] | None = None,
    time_limit: float = 10.0,
) -> ExploitReport:
    """Run the exploit battery on one generator family and report, without raising on paid probes.

    Raises:
        ContractError: the family is not a generator, declares unknown exemptions, or its verifier
            raises or hangs on a probe.
    """
    options = dict(options or {})
    family = catalog().family(domain, name, **options)
    where = f"{domain}.{name}"
    if not family.generator:
        raise ContractError(f"{where} is verifier-only; the exploit battery needs a generator family")
    report = ExploitReport(where, exempt=exploit_exemptions(family))
    seeds = list(seeds)
    with GuardedPool(workers=1) as pool:
        verify = _Verifier(pool, domain, name, options, time_limit)
        for level in list(levels or range(1, family.levels + 1)):
            for seed in seeds:
                task = family.sample(seed, level)
                _run_battery(verify, task, family.wrong_responses(task), seed, report)
                report.tasks += 1
    return report


def check_exploits(
    domain: str,
    name: str,
    seeds: Iterable[int] = range(5),
    levels: Sequence[int] | None = None,
    options: dict[str, Any] | None = None,
    time_limit: float = 10.0,
) -> dict[str, int]:
    """Run the exploit battery on one family; return how many probes of each kind ran.

    Raises:
        ContractError: naming the family, seed, probe and response of every paid attack (first five).
    """
    report = exploit_report(domain, name, seeds, levels, options, time_limit)
    report.raise_if_paid()
    return dict(report.probes_run)


# ---------------------------------------------------------------------------------------------------
# Determinism across processes: the same seed gives the same task under another PYTHONHASHSEED


_HELPER_CODE = "from guru_envs.testing import _generation_helper_main; _generation_helper_main()"


def _build_family(request: dict[str, Any]) -> tuple[Any, str]:
    """The family a request names: from the catalog when it has that class, else from the class itself."""
    import importlib

    module, _, qualname = request["class"].partition(":")
    cls: Any = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    options, version = request["options"], request.get("version")
    try:
        kwargs = dict(options) if version is None else {**options, "version": version}
        family = catalog().family(request["domain"], request["name"], **kwargs)
        if type(family) is cls:
            return family, "catalog"
    except Exception:  # noqa: BLE001 - not registered here (a test-only family): build it directly
        pass
    family = cls(**options)
    if version is not None and hasattr(family, "version"):
        family.version = version
    return family, "class"


def _generation_helper_main() -> None:
    """Serve generation requests (one JSON line each) from a process with its own hash seed."""
    out = sys.stdout
    sys.stdout = sys.stderr  # a family that prints must not corrupt the replies
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("quit"):
            return
        try:
            family, path = _build_family(request)
            tasks = [msgspec.json.encode(family.sample(s, lv)).decode() for s, lv in request["pairs"]]
            reply: dict[str, Any] = {"ok": True, "path": path, "tasks": tasks}
        except Exception as exc:  # noqa: BLE001 - reported to the kit, which names it
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:2000]}
        out.write(json.dumps(reply) + "\n")
        out.flush()


class _GenerationHelper:
    """A Python process started with another PYTHONHASHSEED, kept to serve every check in this process.

    Requests are answered in order, one JSON line each. A request is sent as soon as a check knows what
    to ask, and its reply read at the end, so the helper generates while this process verifies.
    """

    _lock = threading.Lock()
    _running: dict[str, _GenerationHelper] = {}

    def __init__(self, hash_seed: str) -> None:
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        paths = [p for p in sys.path if p and os.path.isdir(p)]
        env["PYTHONPATH"] = os.pathsep.join([os.getcwd(), *paths])
        self.hash_seed = hash_seed
        self.unread = 0  # replies owed to requests whose check stopped early
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _HELPER_CODE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )

    @classmethod
    def get(cls) -> _GenerationHelper:
        """The running helper for a hash seed other than this process's own (started at first use)."""
        seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
        with cls._lock:
            helper = cls._running.get(seed)
            if helper is None or helper.proc.poll() is not None:
                helper = cls._running[seed] = cls(seed)
            return helper

    def _line(self, timeout: float) -> str:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        return self.proc.stdout.readline() if ready else ""

    def submit(self, request: dict[str, Any], timeout: float) -> _Pending:
        """Send ``request``; the reply is read by :meth:`_Pending.reply`."""
        with self._lock:
            try:
                while self.unread:  # a check that raised before reading its reply
                    if not self._line(timeout):
                        raise OSError("no reply")
                    self.unread -= 1
                self.proc.stdin.write(json.dumps(request) + "\n")
                self.proc.stdin.flush()
                self.unread += 1
            except (OSError, ValueError):
                self.close()
        return _Pending(self, timeout)

    def close(self) -> None:
        """Ask the helper to stop (and kill it if it does not)."""
        self._running.pop(self.hash_seed, None)
        try:
            self.proc.stdin.write('{"quit": true}\n')
            self.proc.stdin.flush()
            self.proc.wait(timeout=2)
        except Exception:  # noqa: BLE001 - a stuck helper is killed
            self.proc.kill()


@dataclass
class _Pending:
    helper: _GenerationHelper
    timeout: float

    def reply(self) -> dict[str, Any]:
        """The helper's answer, or an error saying why there is none."""
        helper = self.helper
        with helper._lock:
            line, why = "", "died"
            if helper.proc.poll() is None:
                try:
                    line = helper._line(self.timeout)
                    why = f"gave no answer within {self.timeout:g} s"
                except (OSError, ValueError):
                    pass
            if not line:
                helper.close()
                return {"ok": False, "error": f"the generating process {why}"}
            helper.unread -= 1
            return json.loads(line)


@atexit.register
def _close_helpers() -> None:
    for helper in list(_GenerationHelper._running.values()):
        helper.close()


class _CrossProcessCheck:
    """Tasks for ``(seed, level)`` pairs, asked of a process with another hash seed now, compared later."""

    def __init__(
        self, family: Any, pairs: Sequence[tuple[int, int]], options: dict[str, Any] | None, time_limit: float
    ) -> None:
        self.family, self.pairs = family, list(pairs)
        self.where = f"{family.domain}.{family.name}"
        cls = type(family)
        if "<locals>" in cls.__qualname__ or cls.__module__ == "__main__":
            raise ContractError(
                f"{self.where}: the cross-process check needs an importable family class, not {cls.__qualname__}"
            )
        self.request = {
            "class": f"{cls.__module__}:{cls.__qualname__}",
            "domain": family.domain,
            "name": family.name,
            "options": dict(options if options is not None else getattr(family, "options", None) or {}),
            "version": getattr(family, "version", None),
            "pairs": [list(p) for p in self.pairs],
        }
        self.helper = _GenerationHelper.get()
        self.pending = self.helper.submit(self.request, timeout=max(30.0, time_limit * len(self.pairs)))

    def finish(self, generated: dict[tuple[int, int], bytes] | None = None) -> int:
        """Compare with this process's tasks (``generated`` ones, encoded, are not made again)."""
        reply = self.pending.reply()
        seed_name = f"PYTHONHASHSEED={self.helper.hash_seed}"
        if not reply.get("ok"):
            raise ContractError(
                f"{self.where}: generation failed in a process with {seed_name}: {reply.get('error')}"
            )
        same_build = reply["path"] == "catalog"
        local = self.family if same_build else _twin(self.family, self.request)
        for (seed, level), theirs in zip(self.pairs, reply["tasks"]):
            known = (generated or {}).get((seed, level)) if same_build else None
            ours = (known or msgspec.json.encode(local.sample(seed, level))).decode()
            if ours != theirs:
                raise ContractError(
                    f"{self.where}: seed {seed} level {level} gave a different task in a process with {seed_name} "
                    f"(generation depends on str hashing: a set or dict of strings iterated, or hash() used as a "
                    f"seed): {_first_difference(ours, theirs)}"
                )
        return len(self.pairs)


def check_cross_process(
    family: Any,
    pairs: Sequence[tuple[int, int]],
    options: dict[str, Any] | None = None,
    time_limit: float = 10.0,
) -> int:
    """Check that ``(seed, level)`` pairs give the same tasks in a process with another hash seed.

    ``hash()`` of a str differs between processes (``PYTHONHASHSEED``), so a family that iterates a set
    of strings, or seeds from ``hash()``, passes every in-process check and still serves different
    tasks on every machine. ``options`` are the ones ``family`` was built with (default: its own
    record of them). Returns the number of tasks compared.

    Raises:
        ContractError: naming the family, seed and level of the first task that differs.
    """
    return _CrossProcessCheck(family, pairs, options, time_limit).finish()


def _twin(family: Any, request: dict[str, Any]) -> Any:
    """A family built the way the helper built its own when the catalog did not have it."""
    twin = type(family)(**request["options"])
    if request["version"] is not None and hasattr(twin, "version"):
        twin.version = request["version"]
    return twin


def _first_difference(ours: str, theirs: str) -> str:
    a, b = json.loads(ours), json.loads(theirs)
    for key in a:
        if a.get(key) != b.get(key):
            return f"field {key!r}: {str(a[key])[:150]!r} here, {str(b.get(key))[:150]!r} there"
    return "the encoded tasks differ"


# ---------------------------------------------------------------------------------------------------
# The family and env checks


def check_family(
    domain: str,
    name: str,
    seeds: Iterable[int] = range(50),
    levels: Sequence[int] | None = None,
    options: dict[str, Any] | None = None,
    time_limit: float = 10.0,
    min_distinct: float = 0.8,
    exploit_seeds: int = 2,
    process_seeds: int = 5,
) -> dict[str, int]:
    """Check one generator family over ``seeds`` at every level; return counts of what was checked.

    Args:
        domain: the family's domain.
        name: the family's name.
        seeds: seeds to generate at each level.
        levels: difficulty levels to cover (default: all).
        options: family options (as passed through ``family_options``).
        time_limit: seconds any one verifier call may take.
        min_distinct: least fraction of distinct prompts among the seeds of one level.
        exploit_seeds: how many of the seeds (the first ones) of each level the exploit battery attacks
            (0: none; :func:`check_exploits` runs it on its own over many seeds).
        process_seeds: how many seeds of each level are also generated in a process with another
            ``PYTHONHASHSEED`` and compared (0: none).

    Raises:
        ContractError: naming the family, level, seed and fault.
    """
    options = dict(options or {})
    family = catalog().family(domain, name, **options)
    where = f"{domain}.{name}"
    if not family.generator:
        raise ContractError(f"{where} is verifier-only; check_family needs a generator family")
    levels = list(levels or range(1, family.levels + 1))
    seeds = list(seeds)
    report = ExploitReport(where, exempt=exploit_exemptions(family))
    checked = {
        "tasks": 0,
        "wrong_responses": 0,
        "emptied_answers": 0,
        "hostile": 0,
        "exploit_probes": 0,
        "cross_process": 0,
    }
    pairs = [(seed, level) for level in levels for seed in seeds[:process_seeds]]
    elsewhere = _CrossProcessCheck(family, pairs, options, time_limit) if pairs else None
    generated: dict[tuple[int, int], bytes] = {}
    with GuardedPool(workers=1) as pool:
        verify = _Verifier(pool, domain, name, options, time_limit)
        for level in levels:
            prompts = set()
            for index, seed in enumerate(seeds):
                task = family.sample(seed, level)
                again = catalog().family(domain, name, **options).sample(seed, level)
                encoded = msgspec.json.encode(task)
                if index < process_seeds:
                    generated[(seed, level)] = encoded
                if encoded != msgspec.json.encode(again):
                    raise ContractError(
                        f"{where}: seed {seed} level {level} gave two different tasks (generation is not deterministic)"
                    )
                if not isinstance(task.prompt, str) or not task.prompt.strip():
                    raise ContractError(f"{where}: seed {seed} level {level} has an empty prompt")
                prompts.add(task.prompt)
                ref = verify(task, task.reference_response, "the reference response")
                if ref.reward != 1.0 or not ref.correct:
                    raise ContractError(
                        f"{where}: reference response of {task.id} scored {ref.reward} ({ref.reason}); it must score 1"
                    )
                if not ref.answered:
                    raise ContractError(
                        f"{where}: reference response of {task.id} scored 1 but reads as no answer "
                        f"(extracted {ref.extracted!r}): format rewards and failure rates would miscount it"
                    )
                try:
                    wrongs = family.wrong_responses(task)
                except NotImplementedError as exc:
                    raise ContractError(f"{where}: {exc}") from None
                if not wrongs:
                    raise ContractError(f"{where}: wrong_responses() gave nothing for {task.id}")
                for wrong in wrongs:
                    verdict = verify(task, wrong, "a wrong response")
                    if verdict.correct or verdict.reward >= 1.0:
                        raise ContractError(
                            f"{where}: wrong response for {task.id} scored {verdict.reward}: {wrong[-200:]!r}"
                        )
                    checked["wrong_responses"] += 1
                slot = find_answer_slot(task.reference_response)
                if slot is not None and not slot.program and slot.content(task.reference_response):
                    emptied = verify(task, slot.replace(task.reference_response, ""), "an emptied answer")
                    if emptied.reward > 0.0 or emptied.answered:
                        raise ContractError(
                            f"{where}: {task.id}'s reference with its answer container emptied scored "
                            f"{emptied.reward} (extracted {emptied.extracted!r}): an empty container is no "
                            "answer, and a format bonus must not pay for it"
                        )
                    checked["emptied_answers"] += 1
                if index < exploit_seeds:
                    _run_battery(verify, task, wrongs, seed, report)
                back = Task.from_record(task.to_record())
                if back != task:
                    raise ContractError(f"{where}: {task.id} does not survive to_record()/from_record()")
                checked["tasks"] += 1
            if len(seeds) >= 10 and len(prompts) < min_distinct * len(seeds):
                raise ContractError(
                    f"{where}: level {level} gave only {len(prompts)} distinct prompts for {len(seeds)} seeds"
                )
        task = family.sample(seeds[0] if seeds else 0, levels[0])
        for label, response in HOSTILE_RESPONSES.items():
            if isinstance(response, str) and len(response) <= 1_000_000:  # reaches the family's own verifier
                verdict = verify(task, response, f"the hostile response '{label}'")
            else:  # refused by the shared size/type check before any family code runs: no worker needed
                verdict = score_response(task, response, family=family)
            if verdict.reward != 0.0 or verdict.correct:
                raise ContractError(
                    f"{where}: hostile response '{label}' scored {verdict.reward}; it must score 0"
                )
            checked["hostile"] += 1
        if elsewhere is not None:
            checked["cross_process"] = elsewhere.finish(generated)
        report.raise_if_paid()  # last, so a verifier that also crashes or hangs is reported as that
        checked["exploit_probes"] = report.total
    return checked


def check_rows_roundtrip(tasks: Sequence[Task], folder: Any) -> None:
    """Write tasks as GURU/verl rows to parquet and jsonl in ``folder``, read them back, and compare."""
    from pathlib import Path

    rows = [t.to_record() for t in tasks]
    for suffix in (".parquet", ".jsonl"):
        path = write_rows(rows, Path(folder) / f"roundtrip{suffix}")
        back = [Task.from_record(r) for r in read_rows(path)]
        if back != list(tasks):
            bad = next(i for i, (a, b) in enumerate(zip(back, tasks)) if a != b)
            raise ContractError(f"task {tasks[bad].id} changed through a {suffix} file")


def check_guru_env(env_id: str, seeds: Sequence[int] = (0, 1, 2, 3, 4, 5, 6, 7), **make_kwargs: Any) -> None:
    """Gymnasium's checker plus the reasoning-env contract, on a registered id.

    Checks: ``gymnasium.utils.env_checker.check_env`` passes; the same seed gives the same prompt;
    different seeds give different prompts; the reference response earns reward 1 and ends the episode;
    hostile actions earn 0 without raising; ``info`` carries ``correct``, ``extracted`` and ``reason``.
    """
    from gymnasium.utils.env_checker import check_env as gym_check_env

    env = gym.make(env_id, **make_kwargs)
    try:
        try:
            gym_check_env(env.unwrapped, skip_render_check=True)
        except Exception as exc:
            raise ContractError(
                f"{env_id}: gymnasium check_env failed: {type(exc).__name__}: {exc}"
            ) from None
        prompts = []
        for seed in seeds:
            first, _ = env.reset(seed=seed)
            second, _ = env.reset(seed=seed)
            if first != second:
                raise ContractError(f"{env_id}: reset(seed={seed}) gave two different prompts")
            prompts.append(first)
            task = env.unwrapped.task
            _, reward, terminated, _, info = env.step(task.reference_response)
            if reward != 1.0 or not info.get("correct"):
                raise ContractError(
                    f"{env_id}: reference response for {task.id} got reward {reward}: {info.get('reason')}"
                )
            if not terminated:
                raise ContractError(f"{env_id}: a correct answer did not end the episode")
            for key in ("correct", "extracted", "reason"):
                if key not in info:
                    raise ContractError(f"{env_id}: step info lacks {key!r}")
        if len(seeds) > 1 and len(set(prompts)) == 1:
            raise ContractError(f"{env_id}: {len(seeds)} different seeds all gave the same prompt")
        for label in ("None", "bytes", "empty", "10 MB string"):
            env.reset(seed=seeds[0])
            try:
                _, reward, _, _, info = env.step(HOSTILE_RESPONSES[label])
            except Exception as exc:
                raise ContractError(
                    f"{env_id}: step() raised on the hostile action '{label}': {exc!r}"
                ) from None
            if reward != 0.0:
                raise ContractError(f"{env_id}: hostile action '{label}' got reward {reward}")
    finally:
        env.close()


def check_env(env_id: str, seeds: Sequence[int] = (0, 1, 2, 3, 4, 5, 6, 7), **make_kwargs: Any) -> None:
    """Deprecated name of :func:`check_guru_env` (it shadowed ``gymnasium.utils.env_checker.check_env``)."""
    warnings.warn(
        "guru_envs.testing.check_env is deprecated: use check_guru_env (the old name shadowed Gymnasium's "
        "check_env, which check_guru_env runs too)",
        DeprecationWarning,
        stacklevel=2,
    )
    check_guru_env(env_id, seeds, **make_kwargs)
