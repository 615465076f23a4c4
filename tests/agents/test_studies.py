"""The studies end to end with a tiny random policy: every run trains, is evaluated, and is written up."""

import json
import sys
from pathlib import Path

import pytest

from tests.agents import helpers

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return helpers.tiny_model_dir(tmp_path_factory.mktemp("model"))


TINY = ["--engine", "transformers", "--precision", "fp32", "--prompts", "2", "--group", "2"]
TINY += ["--max-new-tokens", "6", "--samples", "2"]


@pytest.mark.slow  # five training runs and six evaluations: about a minute
@pytest.mark.timeout(600)
def test_transfer_study_trains_every_set_evaluates_every_domain_and_resumes(model_dir, tmp_path, capfd):
    from benchmarks import transfer_study

    argv = [*TINY, "--model", str(model_dir), "--steps", "1", "--heldout", "1", "--out", str(tmp_path)]
    assert transfer_study.main(argv) == 0
    result = json.loads((tmp_path / "transfer.json").read_text())
    assert list(result["runs"]) == ["math", "logic", "tabular", "simulation", "mix"]
    for run in result["runs"].values():
        assert run["steps"] == 1
        assert set(run["changes"]["template"]) == {*transfer_study.EVAL_DOMAINS, "all"}
        for change in run["changes"]["template"].values():
            assert change["gain"] == pytest.approx(change["format_part"] + change["beyond_format"])
    assert result["eval_tasks"] == len(transfer_study.EVAL_DOMAINS)
    assert {s["env"] for s in result["runs"]["mix"]["sources"]} == {
        transfer_study.domain_sources()[d]["env"] for d in transfer_study.TRAIN_DOMAINS
    }
    assert (tmp_path / "transfer.png").stat().st_size > 20_000
    assert "| mix |" in (tmp_path / "transfer.md").read_text()
    capfd.readouterr()
    assert transfer_study.main(argv) == 0  # every run is reused: nothing trains again
    assert capfd.readouterr().out.count("reusing the finished run") == 5
    # a run stopped after training but before its evaluation was written keeps its training
    (tmp_path / "runs" / "math.json").unlink()
    assert transfer_study.main([*argv, "--only", "math"]) == 0
    assert "math: continuing from step 1" in capfd.readouterr().out
    assert len((tmp_path / "runs" / "math" / "metrics.jsonl").read_text().splitlines()) == 1
    assert json.loads((tmp_path / "runs" / "math.json").read_text())["train_minutes"] > 0


def test_transfer_study_families_narrow_training_and_evaluation_alike():
    from benchmarks import transfer_study

    args = transfer_study.parse_args(
        ["--small", "--families", "math=arithmetic", "tabular=filter_count,ratio"]
    )
    sources = transfer_study.domain_sources(args.families)
    assert sources["math"]["families"] == ["arithmetic"]
    assert sources["tabular"]["families"] == ["filter_count", "ratio"]
    assert sources["logic"]["families"] == transfer_study.domain_sources()["logic"]["families"]
    sets = transfer_study.training_sets(args.families)
    assert sets["math"] == [sources["math"]] and sources["tabular"] in sets["mix"]
    tasks = transfer_study.eval_tasks(2, args.families)
    assert {t.family for t in tasks if t.domain == "math"} == {"arithmetic"}
    # the saved runs of another narrowing are not reused, nor its base evaluation
    other = transfer_study.parse_args(["--small"])
    assert transfer_study.study_key(args) != transfer_study.study_key(other)
    assert not transfer_study.same_evaluation(transfer_study.study_key(other), transfer_study.study_key(args))
    with pytest.raises(SystemExit):
        transfer_study.parse_args(["--families", "chess=openings"])
    # "auto" is saved as what it meant here, so a float32 base evaluation never stands for a bf16 study
    assert args.precision in {"bf16", "fp32"}
    other_precision = transfer_study.parse_args(
        ["--small", "--families", "math=arithmetic", "tabular=filter_count,ratio", "--precision", "fp32"]
    )
    other_precision.precision = {"bf16": "fp32", "fp32": "bf16"}[args.precision]
    assert not transfer_study.same_evaluation(
        transfer_study.study_key(other_precision), transfer_study.study_key(args)
    )


@pytest.mark.timeout(600)
def test_learning_check_reports_format_and_beyond(model_dir, tmp_path):
    from benchmarks import learning_check

    argv = [*TINY, "--model", str(model_dir), "--steps", "2", "--heldout", "1", "--out", str(tmp_path)]
    assert learning_check.main(argv) == 0
    result = json.loads((tmp_path / "learning_check.json").read_text())
    assert result["train"]["steps"] == 2
    for mode in ("plain", "template"):
        assert set(result["changes"][mode]) == {"all", *learning_check.DOMAINS}
    assert result["question_copies"]["copies"] == []
    text = (tmp_path / "learning_check.md").read_text()
    assert "beyond format" in text and "copies of the question: 0" in text
    assert (tmp_path / "learning_check.png").stat().st_size > 20_000
    assert learning_check.main([*argv, "--replot"]) == 0
    # a second run with two optimiser steps per batch shares the first one's initial evaluation
    again = tmp_path / "again"
    second = [*TINY, "--model", str(model_dir), "--steps", "1", "--heldout", "1", "--mini-batches", "2"]
    second += ["--format-needs-stop"]
    assert learning_check.main([*second, "--before", str(tmp_path), "--out", str(again)]) == 0
    reused = json.loads((again / "learning_check.json").read_text())
    assert reused["before"] == result["before"] and reused["config"]["mini_batches"] == 2
    trained = json.loads((again / "train" / "config.json").read_text())
    assert trained["data"]["format_reward_needs_stop"] is True
    # the remedies figure over both runs, each named by what it changed
    assert learning_check.remedy_label(result["config"]) == "no further remedy"
    assert (
        learning_check.remedy_label(reused["config"])
        == "2 mini-batches (clip acts), format bonus needs a stop"
    )
    figure = tmp_path / "remedies.png"
    assert learning_check.main(["--compare", str(tmp_path), str(again), "--out", str(figure)]) == 0
    assert figure.stat().st_size > 20_000
    with pytest.raises(SystemExit, match="other held-out tasks"):
        learning_check.main([*second, "--heldout", "2", "--before", str(tmp_path), "--out", str(again)])
    with pytest.raises(SystemExit, match="sampled with"):
        learning_check.main([*second, "--samples", "3", "--before", str(tmp_path), "--out", str(again)])
    with pytest.raises(SystemExit, match="no finished learning check"):
        learning_check.main([*second, "--before", str(tmp_path / "nowhere"), "--out", str(again)])
    # the run records the precision it trained in and the machine; a bf16 run never reuses a float32 one
    assert result["config"]["precision"] == "fp32" and result["machine"]
    with pytest.raises(SystemExit, match="precision was 'fp32', not 'bf16'"):
        learning_check.main([*second, "--precision", "bf16", "--before", str(tmp_path), "--out", str(again)])


def test_question_copy_check():
    from benchmarks.learning_check import is_question_copy

    question = "Compute $66 \\times 26$.\n\nPlease reason step by step."
    assert is_question_copy(question, "66 \\times 26", "1716")
    assert is_question_copy(question, "66\\times26=1716", "1716")
    assert is_question_copy(question, "26", "1716")  # an operand, not the answer
    assert not is_question_copy(question, "1716", "1716")
    equation = "Solve for $x$: $x - 42 = 7$."
    assert not is_question_copy(equation, "x = 49", "49")
    assert is_question_copy(equation, "x - 42 = 7", "49") and is_question_copy(equation, "42", "49")
    assert not is_question_copy("Compute $-3 + 5$.", "2", "2")


def test_family_screening_plans_families_by_temperature_and_refuses_unknown_ones():
    """``--only`` and ``--temperature`` choose what the screen measures, in the order given."""
    import argparse

    from benchmarks import family_pass_rates as screen

    def plan(only=None, temperature=None, domains=("logic",)):
        args = argparse.Namespace(only=only, temperature=temperature, domains=list(domains))
        return screen.screened(args, default_temperature=0.8)

    assert plan() == [("logic", f, 0.8) for f in screen.FAMILIES["logic"]]
    assert plan(["math/arithmetic", "science/multiple_choice"], [0.3, 0.5]) == [
        ("math", "arithmetic", 0.3),
        ("math", "arithmetic", 0.5),
        ("science", "multiple_choice", 0.3),
        ("science", "multiple_choice", 0.5),
    ]
    with pytest.raises(SystemExit, match="unknown family 'math/ordering'"):
        plan(["math/ordering"])


@pytest.mark.parametrize("precision", ["bf16", "fp32"])
def test_transfer_study_evaluates_the_base_model_in_the_runs_precision(monkeypatch, tmp_path, precision):
    """The trained runs are sampled by their trainer's engine (bf16 compute on bf16 hardware): a base
    model sampled in float32 beside them would put a precision change into every gain."""
    import contextlib

    import torch

    import agents.prompting
    import guru_envs.rollout
    from benchmarks import transfer_study

    built = {}

    def fake_engine(name, path, **kwargs):
        built.update(kwargs, name=name)
        return contextlib.nullcontext("engine")

    monkeypatch.setattr(guru_envs.rollout, "make_engine", fake_engine)
    monkeypatch.setattr(agents.prompting, "evaluate_policy", lambda engine, *a, **k: {"template": engine})
    args = transfer_study.parse_args(["--small", "--engine", "transformers", "--precision", precision])
    assert transfer_study.evaluate_base(args, None, [], tmp_path) == {"template": "engine"}
    assert built["name"] == "hf"
    assert built["compute_dtype"] == (torch.bfloat16 if precision == "bf16" else None)
