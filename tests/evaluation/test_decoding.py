"""The decoding study: pass@k per temperature x top-p setting, from the harness and from ``guru eval``."""

import json

import pytest

from guru_envs.cli import main
from guru_envs.evaluation.decoding import (
    decoding_sweep,
    decoding_table,
    read_decoding,
    setting_grid,
    write_decoding,
)
from guru_envs.evaluation.splits import heldout_tasks
from guru_envs.rollout.base import Completion, RolloutEngine, RolloutGroup, SamplingParams


class DecodingEngine(RolloutEngine):
    """Answers the toy sums right in a number of samples that depends on the decoding setting.

    Sample ``j`` of a task is right when ``j < right(temperature, top_p)``, so each setting's pass@k is
    known in closed form; the engine records every setting it was asked for.
    """

    name = "decoding-fake"

    def __init__(self):
        super().__init__(None)
        self.seen = []

    @staticmethod
    def right(temperature, top_p):
        return {0.6: 3, 1.0: 1, 1.2: 0}[temperature] + (1 if top_p < 1 else 0)

    def _generate(self, prompts, params):
        self.seen.append((params.temperature, params.top_p, params.seed))
        k = self.right(params.temperature, params.top_p)
        groups = []
        for prompt in prompts:
            text = prompt[-1]["content"]
            a, b = (int(x) for x in text.removeprefix("What is ").removesuffix("?").split(" + "))
            comps = [
                Completion(
                    text=f"\\boxed{{{a + b}}}" if j < k else "I am not sure",
                    token_ids=[7] * (3 + j),
                    finish_reason="stop",
                )
                for j in range(params.n)
            ]
            groups.append(RolloutGroup(prompt_text=text, prompt_token_ids=[], completions=comps))
        return groups


def expected_pass_at_k(right, n, k):
    """Every task has ``right`` correct of ``n``: pass@k = 1 - C(n - right, k) / C(n, k)."""
    from math import comb

    return 1 - comb(n - right, k) / comb(n, k)


def test_grid_is_every_pair_in_order_and_refuses_bad_values():
    base = SamplingParams(n=4, max_tokens=32, seed=5)
    grid = setting_grid(base, [0.6, 1.0], [0.95, 1.0])
    assert [(s.temperature, s.top_p) for s in grid] == [(0.6, 0.95), (0.6, 1.0), (1.0, 0.95), (1.0, 1.0)]
    assert all(s.n == 4 and s.seed == 5 and s.max_tokens == 32 for s in grid)
    for temps, tops in [([], [1.0]), ([0.6, 0.6], [1.0]), ([1.0], [0.0]), ([-1.0], [1.0])]:
        with pytest.raises(ValueError):
            setting_grid(base, temps, tops)


def test_sweep_reports_pass_at_k_of_each_setting(tmp_path):
    tasks = heldout_tasks("guru-test/Toy-v0", 5)
    engine = DecodingEngine()
    settings = setting_grid(SamplingParams(n=4, seed=3), [0.6, 1.0, 1.2], [0.95, 1.0])
    study = decoding_sweep(engine, tasks, settings, model_name="toy", progress=False)
    assert study.settings[0] == "T=0.6 top-p=0.95" and len(study.reports) == 6
    # every setting sampled the same tasks with the same seed: only the decoding differs
    assert {seed for _, _, seed in engine.seen} == {3}
    for params, report in zip(settings, study.reports):
        right = DecodingEngine.right(params.temperature, params.top_p)
        assert report.sampling["temperature"] == params.temperature
        assert report.overall.pass1 == pytest.approx(right / 4)
        for k in (1, 2, 4):
            assert report.overall.pass_at_k[k] == pytest.approx(expected_pass_at_k(right, 4, k))
        assert report.overall.format_failure_rate == pytest.approx((4 - right) / 4)
    table = decoding_table(study)
    assert "| T=0.6 top-p=0.95 | all | 100.0 ± 0.0 | 100.0 | 100.0 | 100.0 | 0.0 |" in table
    assert "| T=1.2 top-p=1 | all | 0.0 ± 0.0 | 0.0 | 0.0 | 0.0 | 100.0 |" in table
    paths = write_decoding(study, tmp_path)
    assert read_decoding(paths["json"]).reports[3].overall == study.reports[3].overall
    assert paths["plot"].stat().st_size > 10_000


def test_sweep_refuses_settings_that_cannot_be_compared():
    tasks = heldout_tasks("guru-test/Toy-v0", 2)
    with pytest.raises(ValueError, match="same number of samples"):
        decoding_sweep(DecodingEngine(), tasks, [SamplingParams(n=2), SamplingParams(n=4, temperature=0.6)])
    with pytest.raises(ValueError, match="repeat"):
        decoding_sweep(DecodingEngine(), tasks, [SamplingParams(n=2), SamplingParams(n=2)])
    with pytest.raises(ValueError):
        decoding_sweep(DecodingEngine(), tasks, [])


def test_guru_eval_sweeps_temperatures_and_top_p(tmp_path, monkeypatch, capsys):
    import guru_envs.cli.evaluate as cli_eval

    engine = DecodingEngine()
    monkeypatch.setattr(cli_eval, "engine_from_args", lambda args: engine)
    out = tmp_path / "study"
    argv = ["eval", "--env", "guru-test/Toy-v0", "--tasks-per-env", "3", "--samples", "4", "--out", str(out)]
    assert main([*argv, "--temperature", "0.6", "1.0", "1.2", "--top-p", "0.95", "1.0"]) == 0
    printed = capsys.readouterr().out
    assert "| T=1 top-p=0.95 | all | 50.0 ± 0.0 | 50.0 | 83.3 | 100.0 | 50.0 |" in printed
    saved = json.loads((out / "decoding.json").read_text())
    assert saved["settings"] == [f"T={t} top-p={p}" for t in ("0.6", "1", "1.2") for p in ("0.95", "1")]
    assert (out / "decoding.png").stat().st_size > 10_000 and "pass@4" in (out / "decoding.md").read_text()
    one = json.loads((out / "t1.2-p0.95" / "results.json").read_text())
    assert one["sampling"]["temperature"] == 1.2 and one["overall"]["pass1"] == pytest.approx(0.25)
    assert len(engine.seen) == 6


def test_guru_eval_with_one_setting_writes_the_plain_report(tmp_path, monkeypatch):
    import guru_envs.cli.evaluate as cli_eval

    monkeypatch.setattr(cli_eval, "engine_from_args", lambda args: DecodingEngine())
    out = tmp_path / "one"
    argv = ["eval", "--env", "guru-test/Toy-v0", "--tasks-per-env", "2", "--samples", "2", "--out", str(out)]
    assert main([*argv, "--temperature", "0.6"]) == 0
    assert (out / "results.json").is_file() and not (out / "decoding.json").exists()


def test_guru_eval_refuses_a_repeated_setting(tmp_path, monkeypatch, capsys):
    import guru_envs.cli.evaluate as cli_eval

    monkeypatch.setattr(cli_eval, "engine_from_args", lambda args: DecodingEngine())
    argv = ["eval", "--env", "guru-test/Toy-v0", "--out", str(tmp_path), "--temperature", "1.0", "1.0"]
    assert main(argv) == 2
    assert "repeat" in capsys.readouterr().err
