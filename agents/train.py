"""The training command: run GRPO on a mixture of guru environments from a config and overrides.

With no arguments it runs the defaults of :mod:`agents.config` (the bundled SmolLM2-135M-Instruct on
easy arithmetic and easy multiple-choice science, a few minutes on a 2-core CPU).
``examples/train_grpo.py`` is this command::

    python examples/train_grpo.py                                   # the defaults (CPU, minutes)
    python examples/train_grpo.py --print-config > my_run.json      # start a config from the defaults
    python examples/train_grpo.py --config my_run.json --set steps=300 --set model.path=/models/qwen2.5-1.5b
    python examples/train_grpo.py --resume runs/grpo-Math+Science-s0-20260101-120000   # continue a run

Each run writes ``config.json``, ``metrics.jsonl`` (one line per step: reward, accuracy, format failures
and lengths overall / per domain / per family, KL, entropy, clip fraction, timings), checkpoints and
``reward_curves.png`` to ``<out_dir>/<run_name>/``. See :mod:`agents.config` for every setting.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import ConfigError, GRPOConfig, apply_override, from_dict, load_config, to_dict

if TYPE_CHECKING:
    from .trainer import GRPOTrainer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="train_grpo.py",
        description="Train a policy with GRPO on a mixture of guru environments.",
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config", type=Path, help="TOML or JSON config (default: the agents.config defaults)"
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one setting, e.g. --set steps=50 --set data.group_size=16",
    )
    parser.add_argument(
        "--resume", type=Path, help="a run folder or checkpoint to continue (uses its config.json)"
    )
    parser.add_argument(
        "--print-config", action="store_true", help="print the resolved config as JSON and exit"
    )
    return parser.parse_args(argv)


def resolve_config(args: argparse.Namespace) -> GRPOConfig:
    """The run's config: a resumed run's own, a file, or the defaults; then the ``--set`` overrides."""
    if args.resume is not None and args.config is None:
        run_dir = args.resume if (args.resume / "config.json").is_file() else args.resume.parent.parent
        return load_config(run_dir / "config.json", args.overrides)
    if args.config is not None:
        return load_config(args.config, args.overrides)
    data = to_dict(GRPOConfig())
    for item in args.overrides:
        apply_override(data, item)
    return from_dict(data)


def use_prompt_settings(trainer: GRPOTrainer) -> None:
    """Give the trainer the prompt builder its whole ``prompt`` config describes (``plain_share`` too)."""
    from .prompting import PromptBuilder

    trainer.prompts = PromptBuilder.from_config(trainer.config.prompt)


def train_within(
    trainer: GRPOTrainer, minutes: float | None = None, steps: int | None = None
) -> dict[str, Any]:
    """Train until ``steps`` (default: the config's) or ``minutes`` of wall time, whichever comes first.

    A step that starts before the time is up runs to its end. Saves a checkpoint and the reward curves
    at the end; returns ``{"steps", "minutes", "history"}``.
    """
    from .display import Display
    from .metrics import METRICS_FILE

    total = steps if steps is not None else trainer.config.steps
    history: list[dict[str, Any]] = []
    start = time.perf_counter()
    every = trainer.config.checkpoint_every
    with Display(
        total, trainer.step_count, enabled=trainer.config.display, run_dir=trainer.run_dir
    ) as display:
        while trainer.step_count < total and (minutes is None or time.perf_counter() - start < 60 * minutes):
            metrics = trainer.step()
            history.append(metrics)
            display.update(metrics)
            if every and trainer.step_count % every == 0:
                trainer.save_checkpoint()
    spent = (time.perf_counter() - start) / 60
    trainer.save_checkpoint()
    try:
        from .plots import plot_run

        plot_run(trainer.run_dir / METRICS_FILE, trainer.run_dir / "reward_curves.png")
    except ImportError:  # matplotlib is optional
        pass
    return {"steps": trainer.step_count, "minutes": spent, "history": history}


def main(argv: list[str] | None = None) -> int:
    """Train (or print the config); returns the exit status."""
    args = parse_args(argv)
    try:
        config = resolve_config(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.print_config:
        print(json.dumps(to_dict(config), indent=2))
        return 0
    import guru_envs  # noqa: F401  (registers the environments)

    from .trainer import GRPOTrainer

    with GRPOTrainer(config, resume=args.resume) as trainer:
        print(f"precision: {trainer.precision} (model.precision = {config.model.precision!r})", flush=True)
        use_prompt_settings(trainer)
        history = trainer.train()
        run_dir = trainer.run_dir
    if history:
        print(progress_summary(history))
    curve = run_dir / "reward_curves.png"
    if curve.is_file():
        print(f"reward curve: {curve}")
    else:
        print(
            f"reward curve: not drawn (needs matplotlib); draw it later with: python -m agents.plots {run_dir}"
        )
    print(f"metrics (one JSON line per step): {run_dir / 'metrics.jsonl'}")
    return 0


def progress_summary(history: list[dict[str, Any]]) -> str:
    """How the run moved: the first half of its steps against the second (at least one step each).

    Halves, not the first and last step: a step's reward is the mean over a few tasks, and which tasks
    were drawn moves it by about as much as ten steps of learning do.
    """
    window = max(1, len(history) // 2)
    first, last = history[:window], history[-window:]

    def mean(rows: list[dict[str, Any]], key: str) -> float:
        values = [r[key] for r in rows if key in r]
        return sum(values) / len(values) if values else float("nan")

    lines = [
        f"done: {history[-1]['step']} steps. Mean over steps {first[0]['step']}-{first[-1]['step']} -> "
        f"steps {last[0]['step']}-{last[-1]['step']}:"
    ]
    for key, label in [
        ("reward", "reward (the verifiers')"),
        ("reward_shaped", "training reward (with the format term)"),
        ("format_fail", "format failures"),
    ]:
        lines.append(f"  {label:40} {mean(first, key):.3f} -> {mean(last, key):.3f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
