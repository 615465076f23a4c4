"""``guru filter``: measure pass rates under a model and keep or bucket tasks by them (GURU's curation)."""

from __future__ import annotations

import argparse

from guru_envs.cli.evaluate import (
    add_engine_arguments,
    add_task_arguments,
    engine_from_args,
    sampling_from_args,
    tasks_from_args,
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register filter."""
    p = subparsers.add_parser(
        "filter", help="annotate tasks with pass rates under a model; keep chosen buckets"
    )
    add_task_arguments(p, tasks_per_env=100, dataset_help="GURU/verl files to filter")
    p.add_argument("--out", required=True, help="output file (.parquet/.jsonl/.json)")
    p.add_argument(
        "--buckets",
        default=None,
        help="NAME:LOW-HIGH,... pass-rate buckets (default: unsolved, hard, medium, easy, solved)",
    )
    p.add_argument(
        "--keep",
        nargs="*",
        default=["hard", "medium", "easy"],
        help="buckets to keep ('all' keeps every task)",
    )
    add_engine_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Filter and write the kept rows."""
    from guru_envs.core.rows import to_row, write_rows
    from guru_envs.evaluation.filtering import DEFAULT_BUCKETS, filter_tasks, parse_buckets

    buckets = parse_buckets(args.buckets) if args.buckets else DEFAULT_BUCKETS
    keep = None if args.keep == ["all"] else args.keep
    unknown = sorted(set(keep or []) - set(buckets))
    if unknown:
        raise ValueError(f"--keep names unknown buckets {unknown}; buckets are {list(buckets)}")
    tasks = tasks_from_args(args, split="train")  # training material: never the held-out split
    with engine_from_args(args) as engine:
        kept, counts = filter_tasks(engine, tasks, sampling_from_args(args), keep=keep, buckets=buckets)
    write_rows([to_row(t, index=i, split="train") for i, t in enumerate(kept)], args.out)
    print("pass-rate buckets: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"kept {len(kept)} of {len(tasks)} tasks -> {args.out}")
    return 0
