"""``python examples/train_grpo.py`` as a newcomer runs it: the embedded defaults, in a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agents.config import GRPOConfig, to_dict
from tests.agents import helpers

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "train_grpo.py"


def defaults():
    """The defaults as JSON data (what --print-config prints and config.json holds)."""
    return json.loads(json.dumps(to_dict(GRPOConfig())))


def run_example(*args, timeout=600):
    return subprocess.run(
        [sys.executable, str(EXAMPLE), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def test_the_example_runs_the_one_set_of_defaults():
    done = run_example("--print-config", timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == defaults()


@pytest.mark.timeout(600)
def test_the_example_trains_and_says_where_the_curve_is(tmp_path):
    """The defaults with a tiny random policy and a tiny budget: it trains, summarises, and names its files."""
    model = helpers.tiny_model_dir(tmp_path)
    done = run_example(
        *(
            "--set",
            f"model.path={model}",
            "--set",
            "model.precision=fp32",
            "--set",
            "rollout.engine=transformers",
        ),
        *("--set", "steps=2", "--set", "data.prompts_per_step=2", "--set", "data.group_size=2"),
        *("--set", "rollout.max_new_tokens=8", "--set", f"out_dir={tmp_path}", "--set", "run_name=first"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run = tmp_path / "first"
    assert f"reward curve: {run / 'reward_curves.png'}" in done.stdout
    assert "done: 2 steps" in done.stdout and "reward (the verifiers')" in done.stdout
    assert (run / "reward_curves.png").stat().st_size > 10_000
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2]
    saved = json.loads((run / "config.json").read_text())
    assert saved["data"] == defaults()["data"] | {"prompts_per_step": 2, "group_size": 2}
