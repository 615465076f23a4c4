"""Prompt templates for training, and an engine wrapper that evaluates under the same template.

A 135M model asked a bare question rarely ends with the answer in the requested format, so a binary
verifier gives GRPO no signal. The training template adds a system prompt and one worked example of the
same family; :class:`TemplatedEngine` lets the evaluation harness measure a policy under that template
too, beside the plain prompts, so a gain can be read for what it is. A share of training tasks can be
sent plain (the task's own messages, as ``guru eval`` sends them), so that what the template teaches is
also practised without it.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from guru_envs.core.scoring import Scorer
from guru_envs.core.source import worked_example as solved_example
from guru_envs.core.task import Task
from guru_envs.evaluation.harness import EvalReport
from guru_envs.rollout.base import Prompt, RolloutEngine, RolloutGroup, SamplingParams, as_messages

from .config import PromptConfig


class PromptBuilder:
    """Turns a task into chat messages: system prompt, optional worked example, then the task.

    The worked example is a task of the same family, version, options and difficulty, generated at a fixed
    seed (``example_seed``), answered with its reference response. It shows a small model the exact
    answer format once, which is what turns "never boxes the answer" into groups with variance.
    """

    def __init__(
        self, system_prompt: str | None, worked_example: bool, example_seed: int, plain_share: float = 0.0
    ) -> None:
        if not 0.0 <= plain_share <= 1.0:
            raise ValueError(f"plain_share must be in [0, 1], got {plain_share}")
        self.system_prompt = system_prompt
        self.worked_example = worked_example
        self.example_seed = example_seed
        self.plain_share = plain_share
        self._examples: dict[tuple[str, str, int | None, int, str], Task | None] = {}

    def example_for(self, task: Task) -> Task | None:
        """The worked example shown before ``task`` (None for dataset rows of verifier-only families).

        It comes from the task source of ``task``'s family, version and options
        (:func:`guru_envs.core.source.worked_example`), so a plugin's own source shapes it too.
        """
        key = (task.domain, task.family, task.version, task.difficulty, repr(sorted(task.options.items())))
        if key not in self._examples:
            self._examples[key] = solved_example(task, self.example_seed)
        return self._examples[key]

    @classmethod
    def from_config(cls, config: PromptConfig) -> PromptBuilder:
        """The builder a run's ``prompt`` settings describe."""
        return cls(config.system_prompt, config.worked_example, config.example_seed, config.plain_share)

    def is_plain(self, task: Task) -> bool:
        """Whether ``task`` is sent plain in training: a fixed draw from its id, so a resumed run agrees.

        Training task ids carry their seed, so the draw is independent across tasks; the same task always
        gets the same answer (a checkpoint needs no extra state).
        """
        if self.plain_share <= 0.0:
            return False
        if self.plain_share >= 1.0:
            return True
        draw = zlib.crc32(f"{self.example_seed}:{task.id}".encode()) / 2**32
        return draw < self.plain_share

    def messages(self, task: Task) -> list[dict[str, str]]:
        """What training sends: the task's own messages for its :meth:`is_plain` share, else :meth:`template`."""
        return task.messages() if self.is_plain(task) else self.template(task)

    def template(self, task: Task) -> list[dict[str, str]]:
        """The training template for ``task`` (the task's own system prompt wins over the configured one)."""
        system = task.meta.get("system_prompt") or self.system_prompt
        msgs = [{"role": "system", "content": system}] if system else []
        example = self.example_for(task) if self.worked_example else None
        if example is not None:
            msgs += [
                {"role": "user", "content": example.prompt},
                {"role": "assistant", "content": example.reference_response},
            ]
        msgs.append({"role": "user", "content": task.prompt})
        return msgs


class TemplatedEngine(RolloutEngine):
    """Wraps an engine so that plain task prompts are rewritten with a :class:`PromptBuilder`.

    The evaluation harness sends each task's own messages; this wrapper finds the task by its prompt text
    and sends the training template instead, so ``evaluate(TemplatedEngine(engine, builder, tasks), tasks,
    ...)`` scores a policy exactly as it was prompted in training.
    """

    name = "templated"

    def __init__(self, inner: RolloutEngine, builder: PromptBuilder, tasks: Sequence[Task]) -> None:
        super().__init__(inner.tokenizer)
        self.inner = inner
        self.builder = builder
        self.by_prompt = {t.prompt: t for t in tasks}

    def _generate(self, prompts: list[Prompt], params: SamplingParams) -> list[RolloutGroup]:
        rewritten = []
        for prompt in prompts:
            user = [m for m in as_messages(prompt) if m["role"] == "user"][-1]["content"]
            task = self.by_prompt.get(user)
            if task is None:
                raise KeyError("TemplatedEngine got a prompt of a task it was not given")
            rewritten.append(self.builder.template(task))
        return self.inner.generate(rewritten, params)


def evaluate_policy(
    engine: RolloutEngine,
    tasks: Sequence[Task],
    builder: PromptBuilder,
    sampling: SamplingParams,
    modes: Sequence[str] = ("plain", "template"),
    label: str = "policy",
    scorer: Scorer | None = None,
) -> dict[str, EvalReport]:
    """Evaluate the engine's policy on ``tasks`` with plain prompts and/or the training template.

    ``plain`` sends each task's own messages (what ``guru eval`` sends); ``template`` sends the training
    template (system prompt and worked example, never the plain share). Both use ``sampling`` unchanged,
    so a before/after pair differs only by the weights.
    """
    from guru_envs.evaluation.harness import evaluate

    reports = {}
    for mode in modes:
        if mode not in ("plain", "template"):
            raise ValueError(f"mode must be 'plain' or 'template', got {mode!r}")
        eng = engine if mode == "plain" else TemplatedEngine(engine, builder, tasks)
        reports[mode] = evaluate(
            eng, tasks, sampling, model_name=label, batch_prompts=64, progress=False, scorer=scorer
        )
    return reports
