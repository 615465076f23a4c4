"""GPQA and SuperGPQA rows (``stem__gpqa*``, ``stem__supergpqa*``): multiple choice, scored by letter.

Description:
    Verifier for GURU's STEM evaluation rows. GPQA rows list options as ``A) text`` and ask either for
    ``\\boxed{X}`` or for a last line ``Answer: X`` (the simple-evals format, ``*_no_box`` sources);
    SuperGPQA rows list up to ten options as ``(A): text`` and ask for ``\\boxed{X}``. The ground truth is
    the letter.

Prompt:
    The row's own prompt, unchanged.

Answer format:
    ``\\boxed{C}``, or without a box a final ``Answer: C`` (either form is accepted for every row).

Scoring:
    1 when the extracted letter is the ground truth, else 0. Extraction is strict
    (:func:`guru_envs.verify.choice.extract_choice`): every box must hold one letter, a letter with its own
    option's text, or exactly one option's text; explicit answer statements count too; all of them must
    name the same letter. Hedged or stuffed letters (``C. or D``, ``A.B.C.D``) are no letter, and so is a
    response that offers another option after its answer (``Answer: D. Alternatively A.``, ``Or maybe
    A.``); explanations that name other options or the question's compounds are read. Where GURU's
    SuperGPQA scorer picks a random letter when it finds none (and takes the first option letter that
    occurs anywhere in a boxed phrase), this scores 0 with the reason, so rewards do not depend on luck.

Difficulty:
    Not generated (dataset rows only).

Version History:
    v0: initial release.
    v0 (unreleased): one letter: hedged or stuffed letters, and boxes or statements that disagree, score 0
        (issue 17); so does another option offered after the answer (a hedge or change of mind beside it).
"""

from __future__ import annotations

from typing import Any

from guru_envs.core.family import TaskFamily
from guru_envs.core.task import Task, prompt_from_row
from guru_envs.verify.choice import LETTERS, extract_choice, parse_options
from guru_envs.verify.score import Score


class ChoiceRowsFamily(TaskFamily):
    """Scores GPQA / SuperGPQA multiple-choice rows by their option letter."""

    domain = "science"
    name = "gpqa"
    generator = False

    def task_from_row(self, row: dict[str, Any]) -> Task:
        """A Task whose answer is the letter and whose meta lists the options read from the prompt."""
        prompt, system = prompt_from_row(row)
        reward_model = row.get("reward_model") or {}
        if not isinstance(reward_model, dict) or "ground_truth" not in reward_model:
            raise ValueError("dataset row has no reward_model.ground_truth")
        letter = str(reward_model["ground_truth"]).strip().strip("()").upper()
        if len(letter) != 1 or letter not in LETTERS:
            raise ValueError(
                f"ground truth of a multiple-choice row must be a letter A-J, got {reward_model['ground_truth']!r}"
            )
        options = parse_options(prompt)
        if options and letter not in options:
            raise ValueError(
                f"ground truth {letter} is not among the options {''.join(options)} listed in the prompt"
            )
        extra = row.get("extra_info") if isinstance(row.get("extra_info"), dict) else {}
        index = extra.get("index", extra.get("id"))
        meta: dict[str, Any] = {"data_source": row["data_source"], "options": options}
        if system:
            meta["system_prompt"] = system
        return Task(
            id=f"{row['data_source']}/{index}" if index is not None else row["data_source"],
            domain=self.domain,
            family=self.name,
            prompt=prompt,
            answer=letter,
            meta=meta,
        )

    def score(self, task: Task, response: str) -> Score:
        """The strictly extracted letter against the ground-truth letter."""
        options = task.meta.get("options") or {}
        source = str(task.meta.get("data_source", ""))
        letters = "".join(options) if options else (LETTERS if "supergpqa" in source else LETTERS[:4])
        if task.answer not in letters:  # options could not be read and the answer lies beyond D
            letters = LETTERS
        choice = extract_choice(response, letters, options or None)
        if choice.letter is None:
            return Score.wrong(None, choice.how, feedback="Give the letter of one option, e.g. \\boxed{A}.")
        if choice.letter == task.answer:
            return Score.right(choice.letter, f"chose the right option ({choice.how})")
        return Score.wrong(choice.letter, f"chose option {choice.letter}, not the right one ({choice.how})")
