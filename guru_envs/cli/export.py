"""``guru export``: write an env's tasks as GURU/verl or SkyRL dataset files (with ``index`` and ``split``).

Each row says in ``extra_info.guru_unscorable`` why Reasoning360's own ``default_compute_score`` cannot
score it ("" when it can); the command sums those rows up on stderr, so a GURU user knows which rows
need guru-envs' own ``compute_score`` (see docs/integrations.md).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from guru_envs.cli.arguments import (
    add_difficulty_argument,
    add_options_argument,
    difficulty_from_args,
    options_from_args,
)
from guru_envs.core.rows import ROW_WRITERS, SPLITS, UNSCORABLE_KEY, to_skyrl_row, write_rows
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
    typed_ground_truth: bool = False,
    split_by_source: bool = False,
) -> list[Path]:
    """Write ``n`` tasks of ``env_id`` to ``out`` (format from the suffix) and return the paths.

    ``train`` rows are the tasks ``reset(seed=seed + i)`` serves; ``test`` rows the held-out split from
    position ``seed``. Each row's ``extra_info`` carries ``index`` (unique across the export) and ``split``.
    With ``split_by_domain`` one file per domain is written next to ``out`` (``name.<domain>.parquet``);
    with ``split_by_source`` one per ``data_source`` (``name.<data_source>.parquet``, GURU's layout).
    ``typed_ground_truth`` keeps the types GURU's scorers read (a zebra grid's dict, an ordering's list,
    an ARC grid) instead of JSON text; a parquet file cannot mix them, so split by source.
    """
    return _export(**locals())[0]


def _export(
    env_id: str,
    n: int,
    out: str | Path,
    fmt: str,
    seed: int,
    split_by_domain: bool,
    split: str,
    difficulty: Difficulty,
    families: list[str] | None,
    family_options: dict[str, dict[str, Any]] | None,
    typed_ground_truth: bool,
    split_by_source: bool,
) -> tuple[list[Path], list[dict[str, Any]]]:
    """The paths :func:`export_tasks` writes, and the rows written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    if split_by_domain and split_by_source:
        raise ValueError("split by domain or by source, not both")
    source = TaskSource.from_id(env_id, families=families, difficulty=difficulty, options=family_options)
    tasks = source.split(n, seed=seed, split=split)
    writer = ROW_WRITERS[fmt]
    rows = [
        writer(task, index=i, split=split, typed_ground_truth=typed_ground_truth)
        for i, task in enumerate(tasks)
    ]
    out = Path(out)
    if not (split_by_domain or split_by_source):
        return [write_rows(rows, out)], rows
    keys = [task.domain for task in tasks] if split_by_domain else [row["data_source"] for row in rows]
    paths = []
    for key in sorted(set(keys)):
        mine = [row for row, k in zip(rows, keys) if k == key]
        name = key.replace("/", "_")  # a loaded row's source may name a hub dataset (openai/gsm8k)
        paths.append(write_rows(mine, out.with_name(f"{out.stem}.{name}{out.suffix}")))
    return paths, rows


def guru_gaps(rows: Sequence[dict[str, Any]]) -> list[tuple[str, int, str]]:
    """``(data_source, rows, why)`` for the rows Reasoning360's ``default_compute_score`` cannot score."""
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        extra = row.get("extra_info") if isinstance(row.get("extra_info"), dict) else {}
        reason = extra.get(UNSCORABLE_KEY)
        if reason:
            counts[(str(row.get("data_source")), str(reason))] += 1
    return [(source, count, reason) for (source, reason), count in sorted(counts.items())]


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
    p.add_argument("--split-by-source", action="store_true", help="one file per data_source (GURU's layout)")
    p.add_argument(
        "--typed-ground-truth",
        action="store_true",
        help="write ground truths as the dicts/lists GURU's scorers read (zebra, ordering, ARC), not JSON text",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the file(s) and say where."""
    paths, rows = _export(
        env_id=args.env_id,
        n=args.n,
        out=args.out,
        fmt=args.format,
        seed=args.seed,
        split_by_domain=args.split_by_domain,
        split=args.split,
        difficulty=difficulty_from_args(args),
        families=args.families,
        family_options=options_from_args(args),
        typed_ground_truth=args.typed_ground_truth,
        split_by_source=args.split_by_source,
    )
    for path in paths:
        print(f"wrote {path}")
    gaps = guru_gaps(rows)
    if gaps:
        total = sum(count for _, count, _ in gaps)
        print(
            f"note: {total} of {len(rows)} rows cannot be scored by GURU's own default_compute_score "
            f"(extra_info.{UNSCORABLE_KEY} says why; guru-envs' compute_score scores every row):",
            file=sys.stderr,
        )
        for source, count, reason in gaps:
            print(f"  {source}: {count} rows: {reason}", file=sys.stderr)
    return 0
