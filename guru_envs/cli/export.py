"""``guru export``: write an env's tasks as GURU/verl or SkyRL dataset files (with ``index`` and ``split``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from guru_envs.cli.arguments import (
    add_difficulty_argument,
    add_options_argument,
    difficulty_from_args,
    options_from_args,
)
from guru_envs.core.rows import ROW_WRITERS, SPLITS, to_skyrl_row, write_rows
from guru_envs.core.source import Difficulty, TaskSource
from guru_envs.core.task import Task

FORMATS = tuple(ROW_WRITERS)


def skyrl_record(task: Task) -> dict[str, Any]:
    """A SkyRL dataset row (see :func:`guru_envs.core.rows.to_skyrl_row`)."""
    return to_skyrl_row(task)


def export_tasks(
    env_id: str,
    n: int,
    out: str | Path,
    fmt: str = "verl",
    seed: int = 0,
    split_by_domain: bool = False,
    split: str = "train",
    difficulty: Difficulty = None,
    families: list[str] | None = None,
    family_options: dict[str, dict[str, Any]] | None = None,
) -> list[Path]:
    """Write ``n`` tasks of ``env_id`` to ``out`` (format from the suffix) and return the paths.

    ``train`` rows are the tasks ``reset(seed=seed + i)`` serves; ``test`` rows the held-out split from
    position ``seed``. Each row's ``extra_info`` carries ``index`` (unique across the export) and ``split``.
    With ``split_by_domain`` one file per domain is written next to ``out`` (``name.<domain>.parquet``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    source = TaskSource.from_id(env_id, families=families, difficulty=difficulty, options=family_options)
    tasks = source.split(n, seed=seed, split=split)
    rows = [ROW_WRITERS[fmt](task, index=i, split=split) for i, task in enumerate(tasks)]
    out = Path(out)
    if not split_by_domain:
        return [write_rows(rows, out)]
    paths = []
    for domain in sorted({t.domain for t in tasks}):
        mine = [row for row, task in zip(rows, tasks) if task.domain == domain]
        paths.append(write_rows(mine, out.with_name(f"{out.stem}.{domain}{out.suffix}")))
    return paths


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register export."""
    p = subparsers.add_parser("export", help="write N tasks of an env as a GURU/verl or SkyRL dataset file")
    p.add_argument("env_id")
    p.add_argument("--n", type=int, required=True, help="number of tasks")
    p.add_argument("--out", required=True, help="output file: .parquet, .jsonl or .json")
    p.add_argument("--format", choices=FORMATS, default="verl")
    p.add_argument("--seed", type=int, default=0, help="first seed (train) or held-out position (test)")
    p.add_argument("--split", choices=SPLITS, default="train", help="train draws, or the held-out test split")
    add_difficulty_argument(p)
    p.add_argument("--families", nargs="+", default=None, help="families of a domain id to use")
    add_options_argument(p)
    p.add_argument("--split-by-domain", action="store_true", help="one file per domain")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the file(s) and say where."""
    paths = export_tasks(
        args.env_id,
        args.n,
        args.out,
        args.format,
        args.seed,
        args.split_by_domain,
        split=args.split,
        difficulty=difficulty_from_args(args),
        families=args.families,
        family_options=options_from_args(args),
    )
    for path in paths:
        print(f"wrote {path}")
    return 0
