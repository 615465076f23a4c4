"""Evaluation as the GURU paper reports it (pass@1 over samples, pass@k), and difficulty filtering."""

from guru_envs.evaluation.filtering import filter_tasks
from guru_envs.evaluation.harness import EvalReport, evaluate
from guru_envs.evaluation.passk import pass_at_k
from guru_envs.evaluation.report import markdown_table, read_report, write_report
from guru_envs.evaluation.splits import EVAL_SEED_BASE, Overlap, heldout_tasks, overlap, training_prompt_keys

__all__ = [
    "EVAL_SEED_BASE",
    "EvalReport",
    "Overlap",
    "evaluate",
    "filter_tasks",
    "heldout_tasks",
    "markdown_table",
    "overlap",
    "pass_at_k",
    "read_report",
    "training_prompt_keys",
    "write_report",
]
