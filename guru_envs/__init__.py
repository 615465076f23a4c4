"""guru-envs: verifiable reasoning environments for RL on LLMs, in six domains.

``import guru_envs`` registers every environment in the catalog with Gymnasium::

    import gymnasium as gym
    import guru_envs

    env = gym.make("guru/Math-v0")
    prompt, info = env.reset(seed=7)
    _, reward, terminated, truncated, info = env.step("... \\\\boxed{42}")

    tasks = guru_envs.make_dataset("guru/Logic.zebra-v0", size=100, seed=0, difficulty="easy")
    with guru_envs.Scorer(workers=4) as scorer:
        verdicts = scorer.score_batch(tasks, responses)
"""

from guru_envs.core.env import GuruEnv
from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.registry import EnvManifest, FamilySpec, catalog, register
from guru_envs.core.rows import from_row, load_tasks, read_rows, to_row, to_skyrl_row, write_rows
from guru_envs.core.scoring import Scorer, score, score_batch
from guru_envs.core.source import TaskSource, make_dataset
from guru_envs.core.task import Task
from guru_envs.sampler import MixedSampler, SourceSpec
from guru_envs.verify.score import Score

__version__ = "0.1.0"

catalog()  # registers the built-in (and plugin) environment ids with Gymnasium

__all__ = [
    "EnvManifest",
    "FamilySpec",
    "GuruEnv",
    "MixedSampler",
    "Problem",
    "Score",
    "Scorer",
    "SourceSpec",
    "Task",
    "TaskFamily",
    "TaskSource",
    "catalog",
    "from_row",
    "load_tasks",
    "make_dataset",
    "read_rows",
    "register",
    "score",
    "score_batch",
    "to_row",
    "to_skyrl_row",
    "write_rows",
]
