"""Held-out splits disjoint from training by prompt: the sampler refuses held-out prompts, eval reports overlap."""

import json

import pytest

from guru_envs import MixedSampler, SourceSpec
from guru_envs.evaluation.harness import evaluate
from guru_envs.evaluation.report import markdown_table
from guru_envs.evaluation.splits import heldout_tasks, overlap, training_prompt_keys
from guru_envs.rollout.base import SamplingParams
from tests.evaluation.test_harness import ScriptedEngine

ARITHMETIC = [SourceSpec(env="guru/Math.arithmetic-v0", difficulty=(1, 1))]


def test_small_prompt_spaces_overlap_without_the_exclusion_and_never_with_it():
    """The case that was found: level-1 arithmetic, 100 held-out prompts, ~1,170 training draws."""
    heldout = heldout_tasks("guru/Math.arithmetic-v0", 100, difficulty=1)
    unguarded = MixedSampler(ARITHMETIC, seed=0, exclude_heldout=0)
    unguarded.next_batch(1170)
    found = overlap(unguarded.served_prompt_keys(), heldout)
    assert found.task_ids, "level-1 arithmetic should repeat some held-out prompts when nothing stops it"
    guarded = MixedSampler(ARITHMETIC, seed=0)  # the default excludes 100 held-out tasks per family and level
    guarded.next_batch(1170)
    assert overlap(guarded.served_prompt_keys(), heldout).task_ids == []
    assert guarded.excluded >= len(found.task_ids)  # it skipped them, and said so


def test_exclusion_survives_resume_and_a_tiny_space_fails_loudly():
    sampler = MixedSampler([SourceSpec(env="guru-test/Toy-v0", difficulty=1)], seed=3, exclude_heldout=50)
    sampler.next_batch(20)
    state = json.loads(json.dumps(sampler.state_dict()))
    expected = [t.id for t in sampler.next_batch(20)]
    resumed = MixedSampler([SourceSpec(env="guru-test/Toy-v0", difficulty=1)], seed=0, exclude_heldout=50)
    resumed.load_state_dict(state)
    assert [t.id for t in resumed.next_batch(20)] == expected
    every_prompt = [f"What is {a} + {b}?" for a in range(101) for b in range(101)]  # all of level 1
    stuck = MixedSampler(
        [SourceSpec(env="guru-test/Toy-v0", difficulty=1)], exclude_prompts=every_prompt, max_retries=3
    )
    with pytest.raises(RuntimeError, match="held-out prompts"):
        stuck.next_task()


def test_eval_reports_the_heldout_tasks_a_run_was_trained_on(tmp_path):
    heldout = heldout_tasks("guru-test/Toy-v0", 4, difficulty=1)
    trained = MixedSampler({"guru-test/Toy-v0": 1}, seed=0, exclude_heldout=0)
    trained.next_batch(5)
    run = tmp_path / "run" / "checkpoints" / "step_000002"
    run.mkdir(parents=True)
    seen = trained.state_dict()
    seen["seen"].append(heldout[1].prompt_key)  # as if the run had drawn held-out task 1
    (run / "trainer_state.json").write_text(json.dumps({"step": 2, "sampler": seen}))
    keys = training_prompt_keys(tmp_path / "run")
    report = evaluate(
        ScriptedEngine([1] * 4), heldout, SamplingParams(n=1), progress=False, training_prompts=keys
    )
    assert report.overlap.task_ids == [heldout[1].id] and report.overlap.training_prompts == 6
    assert "1 of 4 tasks have a prompt the run was served" in markdown_table(report)
    clean = evaluate(ScriptedEngine([1] * 4), heldout, SamplingParams(n=1), progress=False)
    assert clean.overlap is None
    with pytest.raises(FileNotFoundError):
        training_prompt_keys(tmp_path / "nowhere")


def test_guru_eval_train_run_reports_the_overlap(tmp_path, monkeypatch, capsys):
    import guru_envs.cli.evaluate as cli_eval
    from guru_envs.cli import main

    heldout = heldout_tasks("guru-test/Toy-v0", 3, difficulty=1)
    state = tmp_path / "trainer_state.json"
    state.write_text(json.dumps({"sampler": {"seen": [heldout[0].prompt_key, "0" * 24]}}))
    monkeypatch.setattr(cli_eval, "engine_from_args", lambda args: ScriptedEngine([1] * 3))
    args = [
        "eval",
        "--env",
        "guru-test/Toy-v0",
        "--tasks-per-env",
        "3",
        "--difficulty",
        "1",
        "--samples",
        "1",
    ]
    assert main([*args, "--out", str(tmp_path / "eval"), "--train-run", str(state)]) == 0
    assert "1 of 3 tasks have a prompt the run was served" in capsys.readouterr().out
    saved = json.loads((tmp_path / "eval" / "results.json").read_text())
    assert saved["overlap"]["task_ids"] == [heldout[0].id]
