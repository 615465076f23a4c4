"""SkyRL's training entrypoint with the guru environments registered where SkyRL needs them.

SkyRL builds environments inside Ray workers, whose ``skyrl_gym`` registry starts empty of anything a
driver registered, so registration happens in the remote entrypoint, before the experiment is built.
Run as ``python -m agents.skyrl.entrypoint key.path=value ...`` (the launcher assembles the overrides).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import ray


@ray.remote(num_cpus=1)
def guru_entrypoint(cfg) -> None:  # noqa: ANN001 (SkyRLTrainConfig; imported lazily)
    """Register ``guru_<domain>`` envs in this worker, then run SkyRL's PPO/GRPO experiment."""
    from skyrl.train.entrypoints.main_base import BasePPOExp

    from .env import register_guru_envs

    register_guru_envs()
    BasePPOExp(cfg).run()


def main(argv: Sequence[str] | None = None) -> None:
    """Parse and validate the overrides, start Ray, run the entrypoint on the cluster."""
    from skyrl.train.config import SkyRLTrainConfig
    from skyrl.train.utils import validate_cfg
    from skyrl.train.utils.utils import initialize_ray

    cfg = SkyRLTrainConfig.from_cli_overrides(list(sys.argv[1:] if argv is None else argv))
    validate_cfg(cfg)
    initialize_ray(cfg)
    ray.get(guru_entrypoint.remote(cfg))


if __name__ == "__main__":
    main()
