"""Base pass rates per family: which families can GRPO learn from with a small model at all?

GRPO learns only from groups whose samples disagree: a family the model never answers right gives
all-wrong groups that teach nothing (and with zero-variance filtering, cost a step's generation for
nothing). GURU filtered its 92K rows by the pass rate of a model for the same reason. This script
measures SmolLM2-135M-Instruct's pass rate on each generator family at one level, with the training
template (system prompt and one worked example, what the learning check trains with), on tasks of the
training stream (seeds from 5,000, never the held-out tasks the studies evaluate on).

    python benchmarks/family_pass_rates.py                       # every family at level 1, 6 tasks x 4 samples
    python benchmarks/family_pass_rates.py --domains math logic  # some domains
    python benchmarks/family_pass_rates.py --tasks 16 --samples 4 --level 2
    python benchmarks/family_pass_rates.py --only math/arithmetic --temperature 0.5 0.8 1.0

Prints a line per family as it goes and writes ``pass_rates.json`` and ``pass_rates.md`` to ``--out``.
Timing on 2 AVX2 cores (float32, transformers engine): 20-70 s a family at 6 x 4 samples; Tabular's long
prompts cost more. ``benchmarks/learning_check.py --families`` takes the families chosen from it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import learning_check  # noqa: E402  (the check's model, engine and prompt settings)

# Generator families (not the dataset-row families, which need files) of the five answer-reading domains
FAMILIES: dict[str, list[str]] = {
    "math": [
        "arithmetic",
        "linear_equation",
        "quadratic",
        "linear_system",
        "counting",
        "number_theory",
        "probability",
        "sequences",
    ],
    "logic": ["ordering", "graph", "knights_knaves", "zebra", "sudoku", "arc_procedural"],
    "science": [
        "mechanics",
        "circuits",
        "optics",
        "thermodynamics",
        "chemistry",
        "genetics",
        "ecology",
        "astronomy",
        "earth",
        "multiple_choice",
    ],
    "simulation": [
        "program_output",
        "program_input",
        "cellular_automaton",
        "bank_queue",
        "robot_grid",
        "register_machine",
        "stack_machine",
    ],
    "tabular": ["lookup", "filter_count", "aggregation", "ranking", "ratio"],
}
FIRST_SEED = 5_000  # training-stream seeds: the held-out tasks are drawn from 2**62 up


def measure(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Pass rate, format failures and mean tokens of every family, in order; written as it goes."""
    import guru_envs  # noqa: F401  (registers the environments)
    from agents.prompting import evaluate_policy
    from agents.train import use_prompt_settings
    from agents.trainer import GRPOTrainer
    from guru_envs.rollout.base import SamplingParams
    from guru_envs.sampler import SourceSpec

    check = learning_check.parse_args(["--out", str(args.out / "run"), "--engine", args.engine])
    plan = screened(args, check.temperature)
    domains = list(dict.fromkeys(domain for domain, _, _ in plan))
    config = learning_check.build_config(check, [learning_check.EASY_SOURCES[d] for d in domains])
    results: dict[str, dict[str, float]] = {}
    with GRPOTrainer(config, run_dir=args.out / "run") as trainer:
        use_prompt_settings(trainer)
        for domain, family, temperature in plan:
            start = time.perf_counter()
            sampling = SamplingParams(
                n=args.samples, temperature=temperature, max_tokens=check.max_new_tokens, seed=args.seed
            )
            spec = SourceSpec(
                env=learning_check.EASY_SOURCES[domain]["env"], families=[family], difficulty=args.level
            )
            tasks = spec.task_source().tasks_at(range(FIRST_SEED, FIRST_SEED + args.tasks))
            report = evaluate_policy(
                trainer.engine,
                tasks,
                trainer.prompts,
                sampling,
                modes=("template",),
                scorer=trainer.scorer,
            )["template"].overall
            name = f"{domain}/{family}" + (f" @T={temperature:g}" if args.temperature else "")
            results[name] = row = {
                "pass_rate": report.pass1,
                "format_failures": report.format_failure_rate,
                "mean_tokens": report.mean_tokens,
                "seconds": time.perf_counter() - start,
            }
            print(
                f"{name}: pass {row['pass_rate']:.1%}, format failures "
                f"{row['format_failures']:.1%}, {row['mean_tokens']:.0f} tokens, {row['seconds']:.0f} s",
                flush=True,
            )
            (args.out / "pass_rates.json").write_text(json.dumps(results, indent=2))
    return results


def screened(args: argparse.Namespace, default_temperature: float) -> list[tuple[str, str, float]]:
    """(domain, family, temperature) in screening order: ``--only`` or every family of ``--domains``."""
    names = args.only or [f"{d}/{f}" for d in args.domains for f in FAMILIES[d]]
    pairs = []
    for name in names:
        domain, _, family = name.partition("/")
        if family not in FAMILIES.get(domain, []):
            raise SystemExit(f"--only: unknown family {name!r} (domain/family, e.g. math/arithmetic)")
        pairs.append((domain, family))
    temperatures = args.temperature or [default_temperature]
    return [(d, f, t) for d, f in pairs for t in temperatures]


def table(results: dict[str, dict[str, float]], args: argparse.Namespace) -> str:
    """The markdown written to ``pass_rates.md``."""
    samples = args.tasks * args.samples
    lines = [
        f"Level {args.level}, {args.tasks} tasks x {args.samples} samples a family ({samples} answers), "
        "training template.",
        "",
        "| family | pass rate | format failures | mean tokens |",
        "|---|---:|---:|---:|",
    ]
    for name, row in results.items():
        lines.append(
            f"| {name} | {row['pass_rate']:.1%} | {row['format_failures']:.1%} | {row['mean_tokens']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", nargs="+", default=list(FAMILIES), choices=sorted(FAMILIES))
    parser.add_argument(
        "--only", nargs="+", metavar="DOMAIN/FAMILY", help="screen these families (default: --domains')"
    )
    parser.add_argument(
        "--temperature",
        nargs="+",
        type=float,
        help="sampling temperatures to screen each family at (default: the learning check's)",
    )
    parser.add_argument("--level", type=int, default=1)
    parser.add_argument("--tasks", type=int, default=6, help="tasks per family")
    parser.add_argument("--samples", type=int, default=4, help="samples per task")
    parser.add_argument("--engine", default=learning_check.default_engine(), choices=["transformers", "vllm"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "family_pass_rates")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results = measure(args)
    text = table(results, args)
    (args.out / "pass_rates.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
