"""Evaluate a model the way the GURU paper reports it.

N samples per task; pass@1 averaged over samples, unbiased pass@k, mean reward, format failures and
response length, per family and per domain.

Generation goes through any :class:`~guru_envs.rollout.base.RolloutEngine`; scoring through a
:class:`guru_envs.Scorer` (worker processes), timed separately so scoring stays visibly cheap. Each task is
scored with the options it carries, so evaluation pays what training and the env pay. Given the prompts
a training run was served, the report also says which held-out tasks it had already seen.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

import msgspec
from tqdm import tqdm

from guru_envs.core.scoring import Scorer
from guru_envs.core.task import Task
from guru_envs.evaluation.passk import ks_up_to, mean_ci, pass_at_k
from guru_envs.evaluation.splits import Overlap, overlap
from guru_envs.rollout.base import RolloutEngine, SamplingParams


class TaskResult(msgspec.Struct, kw_only=True):
    """Every sample of one task."""

    task_id: str
    domain: str
    family: str
    difficulty: int
    rewards: list[float]
    correct: list[bool]
    format_failures: int  # samples from which no final answer could be read
    tokens: list[int]
    responses: list[str] = msgspec.field(default_factory=list)
    reasons: list[str] = msgspec.field(default_factory=list)


class GroupSummary(msgspec.Struct, kw_only=True):
    """Aggregates over the tasks of a family, a domain, or all."""

    tasks: int
    samples: int
    pass1: float
    pass1_ci: float
    pass_at_k: dict[int, float]
    mean_reward: float
    format_failure_rate: float
    mean_tokens: float


class EvalReport(msgspec.Struct, kw_only=True):
    """The results file of ``guru eval``."""

    model: str
    engine: str
    sampling: dict[str, Any]
    samples: int
    overall: GroupSummary
    by_domain: dict[str, GroupSummary]
    by_family: dict[str, GroupSummary]
    generation_seconds: float
    scoring_seconds: float
    tasks: list[TaskResult]
    overlap: Overlap | None = None  # held-out tasks a training run was served (None: not checked)


def summarize(results: Sequence[TaskResult]) -> GroupSummary:
    """pass@1 (mean over tasks of the fraction of correct samples), pass@k for k = 1, 2, 4 .. N, and the rest."""
    n = min(len(r.correct) for r in results)
    per_task = [sum(r.correct[:n]) / n for r in results]
    pass1, ci = mean_ci(per_task)
    passk = {k: sum(pass_at_k(n, sum(r.correct[:n]), k) for r in results) / len(results) for k in ks_up_to(n)}
    rewards = [x for r in results for x in r.rewards[:n]]
    tokens = [x for r in results for x in r.tokens[:n]]
    return GroupSummary(
        tasks=len(results),
        samples=n,
        pass1=pass1,
        pass1_ci=ci,
        pass_at_k=passk,
        mean_reward=sum(rewards) / len(rewards),
        format_failure_rate=sum(r.format_failures for r in results) / (n * len(results)),
        mean_tokens=sum(tokens) / len(tokens) if tokens else 0.0,
    )


def evaluate(
    engine: RolloutEngine,
    tasks: Sequence[Task],
    sampling: SamplingParams,
    model_name: str = "model",
    batch_prompts: int = 16,
    score_workers: int | None = None,
    keep_responses: bool = True,
    progress: bool = True,
    scorer: Scorer | None = None,
    training_prompts: Collection[str] | None = None,
) -> EvalReport:
    """Generate ``sampling.n`` responses per task with ``engine``, score them, and aggregate.

    Args:
        engine: any rollout engine (vLLM, transformers, OpenAI-compatible).
        tasks: the tasks (see :func:`guru_envs.evaluation.splits.heldout_tasks`).
        sampling: decoding settings; ``n`` is the number of samples per task.
        model_name: recorded in the report.
        batch_prompts: prompts per engine call (the progress bar advances per call).
        score_workers: processes for scoring (default: CPU count), when no ``scorer`` is given.
        keep_responses: store response texts in the report (for error analysis).
        progress: show progress bars.
        scorer: the :class:`~guru_envs.core.scoring.Scorer` to use (kept open: the caller owns it).
        training_prompts: prompt keys a training run was served (see
            :func:`~guru_envs.evaluation.splits.training_prompt_keys`); the report's ``overlap`` lists the
            tasks among them.
    """
    if not tasks:
        raise ValueError("nothing to evaluate: the task list is empty")
    tasks = list(tasks)
    groups = []
    start = time.perf_counter()
    bar = tqdm(total=len(tasks), desc="generating", unit="task", disable=not progress)
    for i in range(0, len(tasks), batch_prompts):
        chunk = tasks[i : i + batch_prompts]
        groups.extend(engine.generate([t.messages() for t in chunk], sampling))
        bar.update(len(chunk))
    bar.close()
    generation_seconds = time.perf_counter() - start

    flat_tasks = [t for t in tasks for _ in range(sampling.n)]
    flat_texts = [c.text for g in groups for c in g.completions]
    start = time.perf_counter()
    if progress:
        print(f"scoring {len(flat_texts)} responses ...", flush=True)
    if scorer is not None:
        scores = scorer.score_batch(flat_tasks, flat_texts)
    else:
        with Scorer(workers=score_workers) as own:
            scores = own.score_batch(flat_tasks, flat_texts)
    scoring_seconds = time.perf_counter() - start

    results = []
    for index, (task, group) in enumerate(zip(tasks, groups)):
        verdicts = scores[index * sampling.n : (index + 1) * sampling.n]
        results.append(
            TaskResult(
                task_id=task.id,
                domain=task.domain,
                family=task.family,
                difficulty=task.difficulty,
                rewards=[v.reward for v in verdicts],
                correct=[v.correct for v in verdicts],
                format_failures=sum(not v.answered for v in verdicts),
                tokens=[c.num_tokens for c in group.completions],
                responses=group.texts if keep_responses else [],
                reasons=[v.reason for v in verdicts],
            )
        )
    by_domain: dict[str, list[TaskResult]] = defaultdict(list)
    by_family: dict[str, list[TaskResult]] = defaultdict(list)
    for r in results:
        by_domain[r.domain].append(r)
        by_family[f"{r.domain}.{r.family}"].append(r)
    return EvalReport(
        model=model_name,
        engine=getattr(engine, "name", type(engine).__name__),
        sampling=dataclasses.asdict(sampling),
        samples=sampling.n,
        overall=summarize(results),
        by_domain={k: summarize(v) for k, v in sorted(by_domain.items())},
        by_family={k: summarize(v) for k, v in sorted(by_family.items())},
        generation_seconds=generation_seconds,
        scoring_seconds=scoring_seconds,
        tasks=results,
        overlap=overlap(training_prompts, tasks) if training_prompts is not None else None,
    )
