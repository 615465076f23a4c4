"""What every math task family shares: the answer rule, the prompt suffix, LaTeX formatting of exact values.

Every math family scores the same way (:func:`guru_envs.verify.latex.score_boxed_answer`: last ``\\boxed{}``
after ``</think>``, one answer only, equivalence by value), so :class:`MathFamily` implements ``score`` and
``wrong_responses`` once; a family only generates problems and lists its plausible wrong answers.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import sympy

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.verify.latex import DEFAULT_TIMEOUT, score_boxed_answer
from guru_envs.verify.score import Score

BOX_INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."


def tex(value: Any) -> str:
    """LaTeX of an exact value (``\\frac{7}{12}``, ``-3``, ``2 \\sqrt{3}``), as a model would write it.

    Plain ``int`` and ``Fraction`` values (what the arithmetic generator computes with) are written without
    going through sympy, which would cost most of a task's generation time.
    """
    if isinstance(value, int | Fraction) and not isinstance(value, bool):
        p, q = value.numerator, value.denominator
    else:
        value = sympy.sympify(value)
        if not value.is_Rational:
            return sympy.latex(value)
        p, q = int(value.p), int(value.q)
    if q == 1:
        return str(p)
    return f"-\\frac{{{-p}}}{{{q}}}" if p < 0 else f"\\frac{{{p}}}{{{q}}}"


def tex_number(value: Any) -> str:
    """A rational inside an expression: negative values get parentheses (``3 + (-2)``)."""
    text = tex(value)
    return f"\\left({text}\\right)" if text.startswith("-") else text


def distinct_wrong(right: Any, candidates: Iterable[Any]) -> list[Any]:
    """Candidates that differ in value from ``right`` and from each other (sympy decides, not the verifier)."""
    right = sympy.nsimplify(right) if isinstance(right, float) else sympy.sympify(right)
    out: list[Any] = []
    for cand in candidates:
        cand = sympy.sympify(cand)
        if cand.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            continue
        if same_value(cand, right) or any(same_value(cand, o) for o in out):
            continue
        out.append(cand)
    return out


def same_value(a: Any, b: Any) -> bool:
    """Exact equality for rationals; for algebraic or complex values, agreement to 30 digits."""
    a, b = sympy.sympify(a), sympy.sympify(b)
    if a.is_Rational and b.is_Rational:
        return a == b
    return bool(abs(sympy.N(a - b, 30)) < sympy.Float("1e-20"))


def unique(values: Iterable[Any]) -> list[Any]:
    """``values`` without repeats (by value), in order."""
    out: list[Any] = []
    for value in values:
        if not any(same_value(value, o) for o in out):
            out.append(value)
    return out


def near_misses(value: Any) -> list[Any]:
    """The usual slips on a rational answer: off by one, wrong sign, flipped fraction, numerator slip."""
    value = sympy.Rational(value)
    cands: list[Any] = [value + 1, value - 1, -value]
    if value.q != 1:
        cands += [
            sympy.Rational(value.p + 1, value.q),
            sympy.Rational(value.q, value.p) if value.p else value + 2,
        ]
    return distinct_wrong(value, cands)


def unsimplified(value: Any, factor: int = 2) -> str:
    """A *wrong* fraction left unsimplified: ``(p+1)/q`` written as ``\\frac{2p+2}{2q}``."""
    value = sympy.Rational(value)
    num, den = (value.p + 1) * factor, value.q * factor
    return f"\\frac{{{num}}}{{{den}}}" if num >= 0 else f"-\\frac{{{-num}}}{{{den}}}"


class MathFamily(TaskFamily):
    """Base of the generated math families: one boxed answer in LaTeX, scored by value.

    Options:
        timeout: hard limit in seconds for the symbolic stage of one answer.
    """

    domain = "math"
    row_question = True  # a boxed value may carry a word of the question ("12 apples")
    guru_scorer = "naive_dapo"

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self.timeout = float(timeout)

    def score(self, task: Task, response: str) -> Score:
        """Last boxed answer after ``</think>`` against ``task.answer`` (see :mod:`guru_envs.verify.latex`).

        Generated tasks ask for a value, so a rational answer must be written as a plain number
        (``final_form``): ``\\boxed{83 - 52}`` or ``\\boxed{\\binom{5}{2}}`` is not an answer yet.
        """
        return score_boxed_answer(
            response, task.answer, question=task.prompt, timeout=self.timeout, final_form=True
        )

    def wrong_answers(self, task: Task) -> list[str]:
        """Plausible wrong final answers (LaTeX) for ``task``; each family lists its own typical mistakes."""
        raise NotImplementedError

    def wrong_responses(self, task: Task) -> list[str]:
        """The reference solution with its final box replaced by each wrong answer."""
        head = task.reference_response.rsplit("\\boxed{", 1)[0]
        return [f"{head}\\boxed{{{answer}}}$." for answer in self.wrong_answers(task)]

    @staticmethod
    def problem(question: str, answer: str, steps: list[str], meta: dict[str, Any] | None = None) -> Problem:
        """A Problem whose prompt asks for a boxed answer and whose reference walks ``steps`` to it."""
        reference = " ".join(steps) + f" So the final answer is $\\boxed{{{answer}}}$."
        return Problem(
            prompt=f"{question}\n\n{BOX_INSTRUCTION}",
            answer=answer,
            reference_response=reference,
            meta=meta or {},
        )


def pick(rng: random.Random, low: int, high: int, exclude: Iterable[int] = ()) -> int:
    """A uniform integer in ``[low, high]`` outside ``exclude``."""
    banned = set(exclude)
    while True:
        value = rng.randint(low, high)
        if value not in banned:
            return value
