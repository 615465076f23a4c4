"""Run folders, checkpoint lookup, and the seeds and RNG states a checkpoint restores."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .config import GRPOConfig

CONFIG_FILE = "config.json"
CHECKPOINTS_DIR = "checkpoints"


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def rng_state() -> dict[str, Any]:
    """Every global RNG's state (saved with each checkpoint)."""
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore :func:`rng_state`."""
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def default_run_name(config: GRPOConfig) -> str:
    """``grpo-<envs>-s<seed>-<time>``, e.g. ``grpo-Math+Science-s0-20260101-120000``."""
    if config.run_name:
        return config.run_name
    envs = "+".join(s.env.split("/")[-1].removesuffix("-v0") for s in config.data.sources)[:60]
    return f"grpo-{envs}-s{config.seed}-{time.strftime('%Y%m%d-%H%M%S')}"


def find_checkpoint(path: str | Path) -> Path:
    """A checkpoint directory from itself or from a run directory (its latest checkpoint)."""
    path = Path(path)
    if (path / "trainer_state.json").is_file():
        return path
    found = sorted((path / CHECKPOINTS_DIR).glob("step_*")) if (path / CHECKPOINTS_DIR).is_dir() else []
    if not found:
        raise FileNotFoundError(
            f"{path} holds no checkpoint (expected trainer_state.json or {CHECKPOINTS_DIR}/step_*)"
        )
    return found[-1]
