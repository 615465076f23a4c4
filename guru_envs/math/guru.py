"""Verifier for GURU/verl math rows (``math__*``, AIME, AMC, OlympiadBench, DeepScaleR, MATH, GSM8K ...).

Description:
    Scores responses to dataset rows whose ``data_source`` is one of GURU's math sources. GURU names them
    ``math__<dataset>`` (``math__merged_deduped_dapo_or1_dataset``, ``math__deepscaler_preview``,
    ``math__aime_repeated_8x``, ``math__amc_repeated_4x``, ``math__olympiad_bench``, ``math__minerva``,
    ``math__math``); upstream verl rows use ``aime*``, ``numina_*``, ``lighteval/MATH``,
    ``DigitalLearningGmbH/MATH-lighteval`` and ``openai/gsm8k``. All of them are scored by one rule,
    whatever ``extra_info.reward_metric`` says (GURU switches between ``naive_dapo`` and ``prime_math``;
    ``docs/math.md`` lists where they disagree with this verifier and why).

Prompt:
    The row's own chat prompt.

Answer format:
    The last ``\\boxed{}`` after any ``</think>``. Rows that ask for a last line ``Answer: X`` (DAPO-Math:
    the prompt says so, or the source is ``math_dapo`` / ``aime*``, which verl scores by that line) are
    read from such lines too; boxes and lines together must give one answer. Rows that ask for the
    answer after ``####`` (GSM8K: the prompt says so, or the source names ``gsm8k``, whose verl and
    SkyRL preprocessing always ask so) are read after every ``####`` mark too, under the same rule
    (:func:`guru_envs.verify.extract.hash_answers`). Where a row asks for neither, such lines are prose,
    as any other text outside a box.

Scoring:
    :func:`guru_envs.verify.latex.score_boxed_answer` against ``reward_model.ground_truth`` (a string; a
    list keeps its first item, as GURU's preprocessing does; a number becomes its decimal text).

Difficulty:
    Not generated: rows keep difficulty 0.

Version History:
    v0: initial release.
    v0 (unreleased): the answer must be one claim: hedges, negations, scale words, false equations, LaTeX
        connectives (``\\lor``, ``\\mid``, ``\\pm``) and values set apart by spacing score 0, and a label is
        dropped only when a unit or a word of the question; no copy of the question's math in any order or
        grouping (``-52 + 83``); a set is not a tuple; boxes that each give one solution make a set; malformed
        formulas never reach the symbolic checker; more answer forms are read (``\\boxed 3``,
        ``0.\\overline{3}``, ``\\sin 60^\\circ``, ``x >= 5``, decimal commas, ``pct``, bracketed matrices)
        (issue 17).
"""

from __future__ import annotations

import re
from typing import Any

from guru_envs.core.family import TaskFamily
from guru_envs.core.task import Task
from guru_envs.verify.extract import all_boxed, answer_lines, boxed, hash_answers, strip_think
from guru_envs.verify.latex import DEFAULT_TIMEOUT, reference_text, score_boxed_answer
from guru_envs.verify.score import Score

# DAPO's prompt: "... of the form Answer: $Answer ..." / "... on its own line after \"Answer:\"".
_ASKS_ANSWER_LINE = re.compile(r"""(?:of\s+the\s+form|after)\s+["'“]?Answer:""", re.IGNORECASE)
_ANSWER_LINE_SOURCES = ("math_dapo", "aime")  # verl scores these sources by their "Answer:" line
# GSM8K's prompts: 'output the final answer after "####"' (verl, SkyRL), "in the exact format: '#### ANSWER'".
_ASKS_HASH = re.compile(r"""["'“‘`]####|\bafter\s+####""", re.IGNORECASE)
_HASH_SOURCE = "gsm8k"  # a data_source naming it (verl's and SkyRL's "openai/gsm8k")


def asks_answer_line(task: Task) -> bool:
    """Whether the row asks for its final answer on an ``Answer: X`` line (DAPO-Math's form).

    Why: DAPO's rows never ask for a box, so a right answer on the line they ask for must be read.
    """
    source = task.meta.get("data_source")
    if isinstance(source, str) and source.startswith(_ANSWER_LINE_SOURCES):
        return True
    return _ASKS_ANSWER_LINE.search(task.prompt[:100_000]) is not None


def asks_hash_answer(task: Task) -> bool:
    """Whether the row asks for its final answer after ``####`` (GSM8K's form).

    Why: verl's and SkyRL's GSM8K rows ask for ``#### 72``, never for a box, so a right answer on the
    mark they ask for must be read; their ``data_source`` (``openai/gsm8k``) says so where verl hands
    the reward function no prompt.
    """
    source = task.meta.get("data_source")
    if isinstance(source, str) and _HASH_SOURCE in source.lower():
        return True
    return _ASKS_HASH.search(task.prompt[:100_000]) is not None


def with_hash_answers(response: str) -> str | Score:
    """``response`` with each answer after a ``####`` mark written as one more box (what the box rule reads).

    A ``####`` answer whose braces do not pair up (the box would close elsewhere) scores 0 here.
    """
    answers = hash_answers(response)
    if not answers:
        return response
    boxes = []
    for answer in answers:
        box = boxed(answer)
        if box is None:
            return Score.wrong(answer[:200], "the answer after '####' has unpaired braces", method="refused")
        boxes.append(box)
    return strip_think(response) + "\n" + "\n".join(boxes)


class GuruMathFamily(TaskFamily):
    """Scores GURU/verl math rows with the shared boxed-answer rule (see the module docstring).

    Options:
        timeout: hard limit in seconds for the symbolic stage of one answer.
    """

    domain = "math"
    name = "guru"
    generator = False

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self.timeout = float(timeout)

    def parse_ground_truth(self, ground_truth: Any, row: dict[str, Any]) -> str:
        """The row's ground truth as answer text."""
        return reference_text(ground_truth)

    def score(self, task: Task, response: str) -> Score:
        """Last boxed answer after ``</think>`` (and the answer lines the row asks for) against the ground truth."""
        answer_line = asks_answer_line(task)
        if asks_hash_answer(task):
            read = with_hash_answers(response)
            if isinstance(read, Score):
                return read
            if read is response and not _any_answer(response, answer_line):
                return Score.wrong(
                    None,
                    "no answer after '####' and no \\boxed{} answer after the reasoning",
                    feedback="End with a line '#### <your answer>'.",
                )
            response = read
        return score_boxed_answer(
            response,
            task.answer,
            question=task.prompt,
            timeout=self.timeout,
            answer_line=answer_line,
        )


def _any_answer(response: str, answer_line: bool) -> bool:
    """Whether the box rule finds any answer in ``response`` (a box, or an asked-for ``Answer:`` line)."""
    text = strip_think(response)
    return bool(all_boxed(text)) or (answer_line and bool(answer_lines(text)))
