"""verifiers: any guru id as a ``verifiers`` environment (tasks from our generators, reward from our scorer).

::

    from guru_envs.integrations.verifiers import load_environment

    env = load_environment("guru/Logic-v0", size=500, seed=0, difficulty=(1, 2))   # a verifiers.v1 Env
    for task in env.taskset.take(3):
        print(task.data.prompt)

Built on the ``verifiers.v1`` stack (``verifiers>=0.4``): :class:`GuruTaskset` yields one
:class:`GuruTask` per guru task, carrying the exact task (as JSON) in its data; the task's ``correct``
reward is ``guru_envs.score`` on the agent's last reply (what ``env.step`` pays), ``format_ok`` is a
metric (a final answer could be read), and ``validate`` checks that the reference response earns 1.
The environment plays the plain chat harness (``null``): one model reply per task, no tools.

verifiers resolves a taskset by the name of an installed package. Importing this module registers
the id ``guru-envs`` with verifiers' loader in this process (as a module of
``verifiers.v1.tasksets``), so configs that name it resolve wherever this module has been imported.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator, Mapping
from typing import Any

try:
    import verifiers.v1 as vf
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "guru_envs.integrations.verifiers needs the verifiers package (0.4 or later): "
        "pip install 'guru-envs[verifiers]'"
    ) from err

import msgspec

from guru_envs.core.scoring import score
from guru_envs.core.task import Task
from guru_envs.integrations.tasks import draw_tasks, endless_tasks
from guru_envs.verify.score import Score

TASKSET_ID = "guru-envs"
"""The taskset id verifiers configs name (``--env.taskset.id guru-envs``)."""


class GuruTaskData(vf.TaskData):
    """A guru task as verifiers task data: the prompt fields plus the exact task as JSON."""

    guru_task: str
    """``msgspec`` JSON of the :class:`~guru_envs.Task` (answer and verifier data included)."""


class GuruTask(vf.Task[GuruTaskData, vf.State, vf.TaskConfig]):
    """One guru task; its reward is the guru verdict on the agent's last reply."""

    @property
    def key(self) -> str:
        """The guru task id: durable across runs (``math.arithmetic/d2/s17``)."""
        return self.data.id or self.hash

    def guru(self) -> Task:
        """The guru Task this verifiers task serves."""
        cached = self.__dict__.get("_guru")
        if cached is None:
            cached = msgspec.json.decode(self.data.guru_task, type=Task)
            self.__dict__["_guru"] = cached
        return cached

    def verdict(self, response: Any) -> Score:
        """The guru verdict on ``response`` (the task carries its scoring options)."""
        return score(self.guru(), response)

    async def _scored(self, trace: vf.Trace) -> Score:
        """The verdict on the trace's reply, computed once for the reward and the metric together."""
        memo: dict[str, asyncio.Future[Score]] = self.__dict__.setdefault("_verdicts", {})
        pending = memo.get(trace.id)
        if pending is None:  # off the event loop: a Code verdict waits on the sandbox
            pending = asyncio.ensure_future(asyncio.to_thread(self.verdict, trace.last_reply))
            memo[trace.id] = pending
            while len(memo) > 64:
                memo.pop(next(iter(memo)))
        verdict = await pending
        trace.info.update(guru_reason=verdict.reason, guru_extracted=verdict.extracted)
        return verdict

    @vf.reward(weight=1.0)
    async def correct(self, trace: vf.Trace) -> float:
        """The guru reward in [0, 1] (what ``env.step`` pays for the same reply)."""
        return float((await self._scored(trace)).reward)

    @vf.metric
    async def format_ok(self, trace: vf.Trace) -> float:
        """1 when a final answer could be read from the reply (the complement of a format failure)."""
        return float((await self._scored(trace)).answered)

    async def validate(self, runtime: Any = None) -> bool | None:
        """The task is sound when its reference response earns full reward (the model-free check)."""
        task = self.guru()
        if not task.reference_response:
            return None  # a loaded row without a reference: no model-free check exists
        return bool((await asyncio.to_thread(self.verdict, task.reference_response)).correct)


class GuruTasksetConfig(vf.TasksetConfig):
    """Which guru tasks to serve (``--env.taskset.*``)."""

    id: str = TASKSET_ID
    env_id: str = "guru/Math-v0"
    """Any registered guru id: a domain (``guru/Logic-v0``), a family (``guru/Logic.zebra-v0``), a plugin's."""
    size: int | None = 1000
    """Number of tasks; None serves an endless stream (seeds ``seed``, ``seed + 1``, ...)."""
    seed: int = 0
    """Seed of the first task; the same config always serves the same tasks."""
    difficulty: int | tuple[int, int] | str | None = None
    """A level, an inclusive ``(low, high)`` range, a preset (``easy``, ``medium``, ``hard``), or None."""
    families: list[str] | dict[str, float] | None = None
    """Family names or ``{name: weight}`` (default: the id's default mix)."""
    options: dict[str, dict[str, Any]] = {}
    """``{family or "domain.family": {option: value}}``, stamped on every task (scoring reads them)."""
    dataset: list[str] | None = None
    """GURU/verl files to serve instead of generated tasks."""


class GuruTaskset(vf.Taskset[GuruTask, GuruTasksetConfig]):
    """Guru tasks drawn the way ``gym.make(env_id, ...)`` serves them, seed by seed."""

    def __init__(self, config: GuruTasksetConfig) -> None:
        super().__init__(config)
        self.INFINITE = config.size is None

    def _source(self) -> dict[str, Any]:
        c = self.config
        return {
            "difficulty": c.difficulty,
            "families": c.families,
            "options": c.options,
            "dataset": c.dataset,
        }

    def load(self) -> Iterator[GuruTask]:
        """The tasks, in seed order (lazily: an endless taskset is never materialised)."""
        c = self.config
        if c.size is not None:
            tasks: Iterator[Task] = iter(draw_tasks(c.env_id, c.size, c.seed, **self._source()))
        else:
            tasks = endless_tasks(c.env_id, c.seed, **self._source())
        for task in tasks:
            yield GuruTask(
                GuruTaskData(
                    id=task.id,
                    name=task.id,
                    prompt=task.prompt,
                    system_prompt=task.meta.get("system_prompt"),
                    guru_task=msgspec.json.encode(task).decode(),
                ),
                self.config.task,
            )


def load_environment(
    env_id: str = "guru/Math-v0",
    *,
    size: int | None = 1000,
    seed: int = 0,
    difficulty: int | tuple[int, int] | str | None = None,
    families: list[str] | dict[str, float] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    dataset: list[str] | None = None,
    **env_config: Any,
) -> vf.Env:
    """A ``verifiers`` environment serving ``env_id``'s tasks, rewarded by guru's verifiers.

    Args:
        env_id: any registered guru id.
        size: number of tasks (None: endless).
        seed: seed of the first task.
        difficulty: a level, a ``(low, high)`` range, a preset (``"easy"``...), or None.
        families: family names or weights (default: the id's default mix).
        options: ``{family: {option: value}}``, stamped on every task (so also used to score it).
        dataset: GURU/verl files to serve instead of generated tasks.
        **env_config: more fields of verifiers' ``SingleAgentEnvConfig`` (``agent``, ``timeout``,
            ``retries``, ...); the agent defaults to the plain chat harness in a local subprocess.
    """
    taskset = {
        "id": TASKSET_ID,
        "env_id": env_id,
        "size": size,
        "seed": seed,
        "difficulty": difficulty,
        "families": families,
        "options": {k: dict(v) for k, v in (options or {}).items()},
        "dataset": [str(p) for p in dataset] if dataset is not None else None,
    }
    config = {
        "taskset": taskset,
        "agent": {"harness": {"id": "null"}, "runtime": {"type": "subprocess"}},
        **env_config,
    }
    return vf.load_environment(vf.resolve_env_config(config))


__all__ = [
    "GuruTask",
    "GuruTaskData",
    "GuruTaskset",
    "GuruTasksetConfig",
    "TASKSET_ID",
    "load_environment",
]

# verifiers imports a taskset id as `verifiers.v1.tasksets.<name>` or `<name>`; `guru_envs` itself is
# not a taskset module, so the id resolves to this module for every loader call in this process.
sys.modules.setdefault("verifiers.v1.tasksets." + TASKSET_ID.replace("-", "_"), sys.modules[__name__])
