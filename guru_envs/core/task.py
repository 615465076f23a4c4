"""Task: one problem with its ground truth and everything needed to score it; a plain value.

A Task knows nothing about the catalog: turning it into a GURU/verl or SkyRL row, or a row into a Task,
is the job of :mod:`guru_envs.core.rows`, which takes the catalog to use.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

GURU_KEY = "guru"  # extra_info field that carries our exact task, so export -> import is lossless


class Task(msgspec.Struct, frozen=True, kw_only=True):
    """A single-turn reasoning problem.

    Attributes:
        id: stable identifier (``math.arithmetic-v0/d2/s17`` for generated tasks: family, version,
            difficulty and seed; the row id for loaded ones).
        domain: ``math``, ``code``, ``science``, ``logic``, ``simulation``, ``tabular`` or a plugin's domain.
        family: the task family inside the domain; together with ``domain`` it names the verifier.
        prompt: the full user message shown to the model.
        answer: ground truth in the family's own form (str, number, list, dict: anything JSON can hold).
        reference_response: a complete model-style response that earns reward 1.0.
        difficulty: level from 1 (easiest) up; 0 when unknown (dataset rows).
        meta: family-specific data the verifier needs (tests, tolerances, ...) plus provenance.
        options: the family options this task is generated and scored with (``{"exact_match": True}``);
            every scorer builds the family from them, so the task pays the same reward everywhere.
        version: the family version that made the task (None: the family's current version).
    """

    id: str
    domain: str
    family: str
    prompt: str
    answer: Any
    reference_response: str = ""
    difficulty: int = 0
    meta: dict[str, Any] = msgspec.field(default_factory=dict)
    options: dict[str, Any] = msgspec.field(default_factory=dict)
    version: int | None = None

    @property
    def prompt_key(self) -> str:
        """A short hash of the prompt: what deduplication and held-out exclusion compare."""
        return prompt_key(self.prompt)

    @property
    def data_source(self) -> str:
        """The GURU ``data_source`` name (see :func:`guru_envs.core.rows.data_source_of`)."""
        from guru_envs.core.rows import data_source_of

        return data_source_of(self)

    def messages(self) -> list[dict[str, str]]:
        """Chat messages for an engine: an optional system prompt, then the user prompt."""
        system = self.meta.get("system_prompt")
        msgs = [{"role": "system", "content": system}] if system else []
        msgs.append({"role": "user", "content": self.prompt})
        return msgs

    def to_record(self) -> dict[str, Any]:
        """The task as a GURU/verl row (:func:`guru_envs.core.rows.to_row` with the process catalog)."""
        from guru_envs.core.rows import to_row

        return to_row(self)

    @classmethod
    def from_record(cls, row: dict[str, Any]) -> Task:
        """A task from a GURU/verl row (:func:`guru_envs.core.rows.from_row` with the process catalog)."""
        from guru_envs.core.rows import from_row

        return from_row(row)


def prompt_key(prompt: str) -> str:
    """A 24-hex-digit hash of a prompt (collisions are negligible at any realistic dataset size)."""
    return hashlib.blake2b(prompt.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def ground_truth_text(answer: Any) -> str:
    """Verl keeps ``ground_truth`` as text: strings stay as they are, anything else becomes JSON."""
    return answer if isinstance(answer, str) else msgspec.json.encode(answer).decode()


MAX_JSON_GROUND_TRUTH_CHARS = 64 << 20  # a ground truth larger than this is no task's answer


def json_ground_truth(ground_truth: Any) -> Any:
    """A ground truth written as JSON text (or already decoded, numpy arrays included) as plain values.

    Raises:
        ValueError: for text that is not JSON or is over 64 MiB.
    """
    if isinstance(ground_truth, bytes | bytearray):
        ground_truth = bytes(ground_truth).decode("utf-8", "replace")
    if isinstance(ground_truth, str):
        if len(ground_truth) > MAX_JSON_GROUND_TRUTH_CHARS:
            raise ValueError("the ground truth is too large")
        try:
            return msgspec.json.decode(ground_truth)
        except msgspec.DecodeError as exc:
            raise ValueError(f"the ground truth is not JSON: {exc}") from None
    return plain_value(ground_truth)


def plain_value(value: Any) -> Any:
    """``value`` with numpy arrays and scalars (pandas reads parquet lists as arrays) turned into lists and numbers."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    elif hasattr(value, "item") and not isinstance(value, dict | list | tuple | str):
        value = value.item()
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    return value


def prompt_from_row(row: dict[str, Any]) -> tuple[str, str | None]:
    """(user prompt, system prompt or None) from a row's ``prompt`` field (chat messages or a string)."""
    prompt = row.get("prompt")
    if hasattr(prompt, "tolist"):  # pandas reads a parquet list column as a numpy array
        prompt = prompt.tolist()
    if isinstance(prompt, str):
        return prompt, None
    if not isinstance(prompt, list | tuple) or not prompt:
        raise ValueError("dataset row has no prompt messages")
    system = None
    user_parts = []
    for msg in prompt:
        if not isinstance(msg, dict) or not isinstance(msg.get("content"), str):
            raise ValueError("prompt messages must be dicts with string content")
        if msg.get("role") == "system":
            system = msg["content"]
        elif msg.get("role") == "user":
            user_parts.append(msg["content"])
    if not user_parts:
        raise ValueError("prompt has no user message")
    return "\n\n".join(user_parts), system
