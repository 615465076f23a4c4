"""Train a policy with GRPO on a mixture of guru environments (see ``agents/train.py`` for the options).

With no arguments it runs the defaults of ``agents/config.py``: the bundled SmolLM2-135M-Instruct on
easy arithmetic and easy multiple-choice science (LoRA adapters, 10 steps of 8 prompts x 8 samples), about
five minutes on a 2-core CPU::

    python examples/train_grpo.py                                   # the defaults (CPU, minutes)
    python examples/train_grpo.py --print-config > my_run.json      # start a config from the defaults
    python examples/train_grpo.py --config my_run.json --set steps=300 --set model.path=/models/qwen2.5-1.5b
    python examples/train_grpo.py --resume runs/grpo-Math+Science-s0-20260101-120000   # continue a run

From a checkout it runs the repository's ``agents/`` folder; with guru-envs installed from a wheel, the
same code installed as ``guru_envs.agents``.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

if (ROOT / "agents" / "__init__.py").is_file():  # a checkout: the repository's agents/ folder
    sys.path.insert(0, str(ROOT))
    from agents.train import main
else:  # an installed wheel ships the agent as guru_envs.agents (no generic top-level `agents`)
    from guru_envs.agents.train import main

if __name__ == "__main__":
    sys.exit(main())
