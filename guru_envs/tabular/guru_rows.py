"""GURU table rows: the verifier for GURU/verl ``table__hitab``, ``table__multihier`` and ``table__finqa`` data.

Description:
    Verifier-only: scores responses to rows of GURU's table data without generating tasks. GURU's
    preprocessing (LLM360/Reasoning360 ``data_preprocess/table``) writes three ground-truth forms:

    - HiTab: the answer list joined by ``|`` with Python ``str`` of each entry (``"47.1"``,
      ``"alberta|quebec"``, ``"20 to 39"``);
    - MultiHiertt: ``str`` of one answer, often a long float (``"3.5448717948717947"``) or a span;
    - FinQA: a float from the original answer with ``%`` turned into ``/100`` (``"94%"`` -> ``0.94``).

Prompt:
    The row's own prompt (tables in markdown, the question, "output the final answer within \\boxed{}").

Answer format:
    ``\\boxed{}`` holding the answer; several answers separated by ``|``.

Scoring:
    GURU's rules without its ``eval()`` of model text: the last ``\\boxed{}`` after ``</think>``;
    numbers within a relative tolerance of 1e-3, where the reference may also be read as a hundredth or a
    hundred times itself (GURU keeps 47.1% as 47.1 in HiTab but 0.471 in FinQA) only when the question
    itself (never the tables, whatever their format) speaks of a share (percent, rate, ratio,
    proportion...; unlike GURU, which reads every number both ways, so that 12.34 answered a count of
    1234); a ``%`` in the answer divides by 100, or is the sign GURU dropped (except after "how many").
    A row scored without its question (verl's reward function hands none) reads a bare number at face
    value, and the two scales only for an answer with its own ``%`` (``21.56%`` for 0.21556).
    A whole-number reference is matched exactly (``1234.5`` is neither 1234 nor 1235), except in a share
    question, where it may be a rounded percentage and its tolerance stays under half a unit; years too.
    After a number only the question's words and the unit the asked value is in may follow (the asked
    column's ``$ millions``; no other column's name or unit, no unit after a count, no currency but the
    prompt's, dollars where it names none): :mod:`guru_envs.tabular.labels`. Names are compared case- and
    space-insensitively, several answers as an unordered set; an answer left with an ellipsis is none.
    Unlike GURU, a response without ``\\boxed{}`` scores 0 rather than having its whole text compared.

Difficulty:
    Rows carry no difficulty (0).

Version History:
    v0: initial release.
    v0 (unreleased): scoring only, generated tasks unchanged. A number must be one claim: its trailing text a
        unit or a word of the prompt; hedges, negations, scale words the prompt does not use, LaTeX
        connectives (``\\lor``, ``\\pm``), values side by side and several different boxes score 0 (repeats
        are fine; boxes that each give one item make the set); ``10^5`` and ``~7`` are no longer read as 10
        and 7; scientific notation and space thousands separators are read (issue 17).
    v0 (unreleased): scoring only. The share question is found in every table format (HTML, JSON, CSV,
        pipes without outer bars); a row without a question reads bare numbers at face value; whole-number
        references are exact; a number's trailing words are the question's or its value's unit; a
        trailing ellipsis is no answer.
"""

from __future__ import annotations

from typing import Any

from guru_envs.core.family import TaskFamily
from guru_envs.core.task import Task
from guru_envs.tabular.answers import GURU_REL_TOL, items_from_ground_truth, score_items
from guru_envs.verify import Score


class GuruRowsFamily(TaskFamily):
    """Scores GURU/verl table rows (HiTab, MultiHiertt, FinQA).

    Options:
        rel_tol: relative tolerance for numbers (GURU's is 1e-3).
    """

    domain = "tabular"
    name = "guru_rows"
    generator = False
    levels = 1

    def __init__(self, rel_tol: float = GURU_REL_TOL) -> None:
        if not isinstance(rel_tol, int | float) or not 0 <= rel_tol < 0.1:
            raise ValueError(f"rel_tol must be a number in [0, 0.1), got {rel_tol!r}")
        self.rel_tol = float(rel_tol)

    def parse_ground_truth(self, ground_truth: Any, row: dict[str, Any]) -> Any:
        """Keep GURU's ground truth as it is (text or FinQA's float), refusing forms no answer can match."""
        if isinstance(ground_truth, bool) or not isinstance(ground_truth, str | int | float):
            raise ValueError(
                f"table ground_truth must be text or a number, got {type(ground_truth).__name__}"
            )
        if not items_from_ground_truth(ground_truth, self.rel_tol):
            raise ValueError(f"table ground_truth {ground_truth!r} holds no answer")
        return ground_truth

    def score(self, task: Task, response: str) -> Score:
        """GURU's table rules, see the module docstring."""
        return score_items(
            response,
            items_from_ground_truth(task.answer, self.rel_tol, question=task.prompt),
            loose_text=True,
            question=task.prompt,
        )
