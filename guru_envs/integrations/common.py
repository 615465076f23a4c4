"""What every adapter needs: the text a completion answers with, tasks rebuilt from row columns, a scorer.

Trainers hand a reward function what their datasets hold (the GURU/verl row columns) and what the
model wrote (a string, or chat messages); these helpers turn both into the ``(Task, str)`` pairs that
:class:`guru_envs.Scorer` scores, so no adapter re-implements a piece of it.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from guru_envs.core.scoring import Scorer
from guru_envs.core.task import GURU_KEY, Task
from guru_envs.verify.score import Score

_TASK_CACHE_SIZE = 4096


class CompletionError(ValueError):
    """A completion holds no text to score (no assistant message, an unknown shape)."""


def _content_text(content: Any) -> str:
    """A message's ``content`` as text: a string, or the text parts of a content-part list."""
    if content is None:
        return ""  # an assistant turn that only calls tools says nothing
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence) or hasattr(content, "tolist"):
        parts = content.tolist() if hasattr(content, "tolist") else content
        texts = []
        for part in parts:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, Mapping) and part.get("type") in ("text", "output_text"):
                text = part.get("text")
                if not isinstance(text, str):
                    raise CompletionError(f"a text content part has no string text: {part!r:.200}")
                texts.append(text)
        return "".join(texts)
    raise CompletionError(
        f"message content must be a string or a list of parts, got {type(content).__name__}"
    )


def completion_text(completion: Any) -> str:
    """The text to score: a plain completion as is, a conversational one's last assistant message.

    A trainer's conversational completion is a list of chat messages (TRL: ``[{"role": "assistant",
    "content": ...}]``, with tool calls and tool results in between when tools are used); the final
    answer is in the model's last turn, so that is the response. Content-part lists (``{"type":
    "text", "text": ...}``) are joined. Reasoning fields (``reasoning_content``, ``thinking``) are not
    the answer and are ignored.

    Raises:
        CompletionError: when there is no assistant message or the shape is not a completion;
            callers turn it into a zero reward with this reason, never a silent 0.
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Mapping):
        if "content" not in completion:
            raise CompletionError(f"a message needs a 'content' field, got keys {sorted(completion)[:10]}")
        return _content_text(completion["content"])
    if hasattr(completion, "tolist"):  # pandas / parquet give numpy arrays of messages
        completion = completion.tolist()
    if isinstance(completion, Sequence) and not isinstance(completion, bytes | bytearray):
        messages = list(completion)
        if not all(isinstance(m, Mapping) for m in messages):
            raise CompletionError("a conversational completion must be a list of message dicts")
        for message in reversed(messages):
            if message.get("role") == "assistant":
                return _content_text(message.get("content"))
        roles = [m.get("role") for m in messages]
        raise CompletionError(f"the completion has no assistant message (roles: {roles[:10]})")
    raise CompletionError(
        f"a completion must be a string or a list of chat messages, got {type(completion).__name__}"
    )


class TaskCache:
    """Rebuilds Tasks from row columns, remembering recent ones (a GRPO group repeats each row)."""

    def __init__(self, size: int = _TASK_CACHE_SIZE) -> None:
        self.size = size
        self._tasks: OrderedDict[str, Task] = OrderedDict()

    def task(
        self,
        data_source: Any,
        reward_model: Any,
        extra_info: Any = None,
        prompt: Any = None,
    ) -> Task:
        """The Task of one GURU/verl row given as its columns (``prompt`` may be missing, as in verl).

        Rows that carry ``extra_info.guru`` (every row guru-envs writes) give back the exact task;
        other rows are routed by ``data_source`` and parsed by the family's row reader.

        Raises:
            ValueError: when the columns do not make a row any family can read.
        """
        extra = dict(extra_info) if isinstance(extra_info, Mapping) else {}
        exact = extra.get(GURU_KEY)
        if isinstance(exact, str):
            hit = self._tasks.get(exact)
            if hit is not None:
                self._tasks.move_to_end(exact)
                return hit
        if isinstance(reward_model, str):  # a bare ground truth
            reward_model = {"style": "rule", "ground_truth": reward_model}
        elif isinstance(reward_model, Mapping):
            reward_model = dict(reward_model)
        row = {
            "data_source": data_source,
            "prompt": "" if prompt is None else prompt,
            "reward_model": reward_model,
            "extra_info": extra,
        }
        task = Task.from_record(row)
        if isinstance(exact, str):
            self._tasks[exact] = task
            if len(self._tasks) > self.size:
                self._tasks.popitem(last=False)
        return task


def make_scorer(workers: int | None = None, timeout: float = 30.0) -> Scorer:
    """The core :class:`~guru_envs.Scorer` an adapter keeps between calls (hard timeouts per chunk).

    Args:
        workers: scoring processes; ``1`` scores in the calling process (no hard timeout, no fork),
            ``None`` uses up to 4 (and at most the CPU count): a trainer's machine has other work.
        timeout: hard wall-clock limit in seconds per chunk of responses (and per response on retry).
    """
    if workers is None:
        workers = max(1, min(4, os.cpu_count() or 1))
    return Scorer(workers=workers, timeout=timeout)


def score_pairs(scorer: Scorer, tasks: Sequence[Task | Exception], texts: Sequence[Any]) -> list[Score]:
    """Score the pairs whose task and text could be built; the others score 0 with the error as reason."""
    good = [
        i
        for i, (t, x) in enumerate(zip(tasks, texts))
        if isinstance(t, Task) and not isinstance(x, Exception)
    ]
    verdicts = scorer.score_batch([tasks[i] for i in good], [texts[i] for i in good]) if good else []
    results: list[Score] = []
    scored = dict(zip(good, verdicts))
    for i, (task, text) in enumerate(zip(tasks, texts)):
        if i in scored:
            results.append(scored[i])
        elif not isinstance(task, Task):
            results.append(Score.wrong(None, f"unusable row: {task}", error="bad_row"))
        else:
            results.append(Score.wrong(None, f"unusable completion: {text}", error="bad_completion"))
    return results
