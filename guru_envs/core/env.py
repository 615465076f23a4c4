"""GuruEnv: one Gymnasium text environment per domain; a reset serves a task, a step scores a response."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym

from guru_envs.core.registry import catalog
from guru_envs.core.scoring import MAX_RESPONSE_CHARS, Scorer
from guru_envs.core.source import Difficulty, TaskSource
from guru_envs.core.spaces import AnyText
from guru_envs.core.task import Task

MAX_PROMPT_CHARS = 1_000_000
IN_PROCESS = Scorer(workers=1)  # an env scores one response at a time, in its own process


class GuruEnv(gym.Env[str, str]):
    """A reasoning environment: the observation is a prompt, the action is the model's full response.

    ## Description
    Each reset serves one task, generated procedurally (seeded, with a difficulty) by the domain's task
    families or drawn from GURU/verl dataset files; each step scores a response with the task's verifier.
    Tasks come from a :class:`~guru_envs.core.source.TaskSource` (``source_class``), the same one the
    sampler, held-out splits and export use, and carry their family options, so a response earns the
    same reward here as in training and evaluation.

    ## Action / Observation Space
    Both are :class:`~guru_envs.core.spaces.AnyText`: any string (prompts up to 1M characters, responses up
    to 1M; a longer or non-string response scores 0 with a reason).

    ## Rewards
    The verifier's reward in [0, 1]; ``info`` holds ``correct``, ``extracted``, ``reason`` and the task ids.

    ## Episode End
    Single-turn (default): terminated after one step. With ``max_turns > 1`` a wrong answer gets the
    verifier's feedback as the next observation until the answer is right or the turns run out
    (``truncated``).

    ## Arguments
    ```python
    gym.make("guru/Math-v0", families=["arithmetic"], difficulty=(1, 2))
    gym.make("guru/Logic-v0", difficulty="easy")
    gym.make("guru/Math-v0", dataset="rows.parquet")
    ```
    - ``families``: names (``"zebra"``, or ``"zebra-v1"`` for one version), or a ``{name: weight}`` mapping
      (default: the domain's default mix, equal weight; real benchmarks such as HumanEval are served only
      when named).
    - ``difficulty``: a level, an inclusive ``(low, high)`` range, or a preset (``"easy"``, ``"medium"``,
      ``"hard"``, mapped onto each family's levels); default: each family's full range. A level a family
      does not have is an error.
    - ``dataset``: one or more GURU/verl files (.parquet/.jsonl/.json) or a list of Tasks; rows whose
      ``data_source`` belongs to another domain are scored by that domain's verifier.
    - ``family_options``: ``{family: {option: value}}`` (or ``"domain.family"`` keys) for the family
      constructors; stamped on every task served, dataset rows included.
    - ``max_turns``: attempts per episode.
    - ``scorer``: a :class:`~guru_envs.core.scoring.Scorer` (default: in this process).

    ## Version History
    - v0: initial release.
    """

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 4}
    #: The keys ``reset(options=...)`` reads (a subclass that reads more adds them here).
    reset_options: ClassVar[frozenset[str]] = frozenset({"task", "index", "family", "difficulty"})
    source_class: ClassVar[type[TaskSource]] = TaskSource

    def __init__(
        self,
        domain: str,
        families: Sequence[str] | Mapping[str, float] | None = None,
        difficulty: Difficulty = None,
        dataset: str | Path | Sequence[str | Path] | Sequence[Task] | None = None,
        family_options: Mapping[str, Mapping[str, Any]] | None = None,
        max_turns: int = 1,
        render_mode: str | None = None,
        scorer: Scorer | None = None,
    ) -> None:
        self.domain = catalog().domain(domain).domain
        if not isinstance(max_turns, int) or max_turns < 1:
            raise ValueError(f"max_turns must be a positive int, got {max_turns!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be one of {self.metadata['render_modes']}, got {render_mode!r}"
            )
        self.max_turns = max_turns
        self.render_mode = render_mode
        self.scorer = scorer or IN_PROCESS
        self.observation_space = AnyText(max_length=MAX_PROMPT_CHARS)
        self.action_space = AnyText(max_length=MAX_RESPONSE_CHARS)
        self.source = self.source_class(
            self.domain, families=families, difficulty=difficulty, options=family_options, dataset=dataset
        )
        self.task: Task | None = None
        self.turn = 0
        self._done = True
        self._last: dict[str, Any] = {}

    @property
    def tasks(self) -> list[Task] | None:
        """The dataset rows this env serves (None for generated tasks)."""
        return self.source.tasks

    def _draw_task(self, options: Mapping[str, Any]) -> Task:
        if not isinstance(options, Mapping):
            raise TypeError(f"reset options must be a dict, got {type(options).__name__}")
        unknown = sorted(set(options) - self.reset_options, key=str)
        if unknown:  # a typo ("dificulty") must not serve the default silently
            raise ValueError(f"unknown reset option(s) {unknown}; known: {sorted(self.reset_options)}")
        if "task" in options:
            if not isinstance(options["task"], Task):
                raise TypeError(f"options['task'] must be a Task, got {type(options['task']).__name__}")
            return options["task"]
        if options.get("index") is not None:
            index = options["index"]
            if self.source.tasks is None:
                raise ValueError("options['index'] picks a dataset row; this env generates its tasks")
            if (
                isinstance(index, bool)
                or not isinstance(index, int)
                or not 0 <= index < len(self.source.tasks)
            ):
                raise ValueError(
                    f"options['index'] must be a row number in [0, {len(self.source.tasks)}), got {index!r}"
                )
            return self.source.tasks[index]
        return self.source.draw(
            self.np_random, family=options.get("family"), difficulty=options.get("difficulty")
        )

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Serve a new task. ``options``: ``task`` (serve this Task), ``index`` (dataset row), ``family``, ``difficulty``.

        Raises:
            TypeError, ValueError: an unknown option key (a typo would otherwise serve the default), a
                ``task`` that is not a Task, or an ``index`` that is no row of this env's dataset.
        """
        super().reset(seed=seed)
        self.task = self._draw_task(options or {})
        self.turn = 0
        self._done = False
        self._last = {}
        return self.task.prompt, self._task_info()

    def _task_info(self) -> dict[str, Any]:
        assert self.task is not None
        return {
            "task_id": self.task.id,
            "domain": self.task.domain,
            "family": self.task.family,
            "difficulty": self.task.difficulty,
        }

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """Score ``action`` (the full response). Non-string or oversized actions score 0 with a reason."""
        if self.task is None or self._done:
            raise gym.error.ResetNeeded("call reset() before step(): the episode has ended")
        self.turn += 1
        verdict = self.scorer.score(self.task, action)
        info = {**self._task_info(), **verdict.info(), "turn": self.turn}
        terminated = verdict.correct or self.max_turns == 1
        truncated = not terminated and self.turn >= self.max_turns
        self._done = terminated or truncated
        observation = (
            ""
            if self._done
            else (verdict.feedback or f"Your answer was not accepted: {verdict.reason}. Try again.")
        )
        self._last = {"response": action, "reward": verdict.reward, "reason": verdict.reason}
        if self.render_mode == "human":
            print(self._render_text())
        return observation, float(verdict.reward), terminated, truncated, info

    def render(self) -> str | None:
        """``ansi``: the prompt and the last verdict as text; ``human``: printed at each step (returns None)."""
        return self._render_text() if self.render_mode == "ansi" else None

    def _render_text(self) -> str:
        if self.task is None:
            return ""
        text = f"[{self.task.id}]\n{self.task.prompt}"
        if self._last:
            text += f"\n--- response ---\n{str(self._last['response'])[:2000]}\n--- reward {self._last['reward']:.2f}: {self._last['reason']}"
        return text
