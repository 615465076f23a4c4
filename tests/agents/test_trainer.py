"""The trainer end to end on CPU with a tiny random policy: a real step, weight sync, exact resume."""

import json
import math

import pytest
import torch

from agents.config import from_dict
from agents.prompting import PromptBuilder
from agents.trainer import (
    GRPOTrainer,
    find_checkpoint,
    micro_batches,
    read_metrics,
    shaped_reward,
)
from guru_envs.rollout.hf_engine import HFEngine
from guru_envs.verify import Score
from tests.agents import helpers

helpers.register()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return helpers.tiny_model_dir(tmp_path_factory.mktemp("model"))


def make_config(model_dir, out_dir, **overrides):
    """A tiny run; full fine-tuning unless a test's ``model`` section asks for adapters."""
    data = {
        "model": {"path": str(model_dir), "precision": "fp32", "lora_rank": 0},
        "data": {"sources": [{"env": helpers.ENV_ID}], "prompts_per_step": 2, "group_size": 4},
        "rollout": {"engine": "transformers", "max_new_tokens": 12},
        "optim": {"lr": 1e-3},
        "steps": 2,
        "out_dir": str(out_dir),
        "run_name": "run",
        "display": False,
        "checkpoint_every": 0,
    }
    for key, value in overrides.items():
        section, _, field = key.partition("__")
        if field:
            data.setdefault(section, {})[field] = value
        elif section == "model":
            data["model"] = {"lora_rank": 0, **value}
        else:
            data[section] = value
    return from_dict(data)


def params_of(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_one_step_end_to_end(model_dir, tmp_path):
    with GRPOTrainer(make_config(model_dir, tmp_path)) as trainer:
        assert trainer.engine.model is trainer.model  # the transformers engine samples from the live policy
        before = params_of(trainer.model)
        metrics = trainer.step()
        after = params_of(trainer.model)
    assert metrics["update/skipped"] == 0.0 and metrics["update/groups_kept"] == 2.0
    assert torch.isfinite(torch.tensor(metrics["loss/total"]))
    assert metrics["update/grad_norm"] > 0 and metrics["policy/entropy"] > 0
    assert any(not torch.equal(before[k], after[k]) for k in before)
    for key in (
        "reward/agenttest",
        "accuracy/agenttest/vowels",
        "time/generate",
        "time/score",
        "time/update",
    ):
        assert key in metrics
    rows = read_metrics(tmp_path / "run" / "metrics.jsonl")
    assert len(rows) == 1 and rows[0]["step"] == 1
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["data"]["group_size"] == 4


def test_engine_with_its_own_weights_gets_the_update(model_dir, tmp_path):
    engine = HFEngine(str(model_dir))  # a separate copy, as a vLLM engine would hold
    with GRPOTrainer(make_config(model_dir, tmp_path), engine=engine) as trainer:
        assert engine.model is not trainer.model
        trainer.step()
        for name, value in trainer.model.state_dict().items():
            assert torch.equal(engine.model.state_dict()[name], value), name
        initial = HFEngine(str(model_dir)).model.state_dict()
        assert any(not torch.equal(initial[k], v) for k, v in engine.model.state_dict().items())


def test_resume_is_exact(model_dir, tmp_path):
    config = make_config(model_dir, tmp_path / "a")
    with GRPOTrainer(config) as straight:
        straight.train()
        want = params_of(straight.model)
        want_opt = straight.optimizer.state_dict()
    rows_a = read_metrics(tmp_path / "a" / "run" / "metrics.jsonl")

    config_b = make_config(model_dir, tmp_path / "b")
    with GRPOTrainer(config_b) as first:
        first.train(steps=1)  # the last step of train() always checkpoints
        first.step()  # a step after the checkpoint, lost in the "crash"
    run_b = tmp_path / "b" / "run"
    assert find_checkpoint(run_b).name == "step_000001"
    with GRPOTrainer(config_b, resume=run_b) as resumed:
        assert resumed.step_count == 1
        resumed.train()
        got = params_of(resumed.model)
        got_opt = resumed.optimizer.state_dict()
    for name in want:
        assert torch.equal(want[name], got[name]), name
    for pid, state in want_opt["state"].items():
        assert torch.equal(state["exp_avg_sq"], got_opt["state"][pid]["exp_avg_sq"])
    rows_b = read_metrics(run_b / "metrics.jsonl")
    assert [r["step"] for r in rows_b] == [1, 2]
    for ra, rb in zip(rows_a, rows_b):
        assert {k: v for k, v in ra.items() if not k.startswith("time/")} == {
            k: v for k, v in rb.items() if not k.startswith("time/")
        }


@pytest.mark.filterwarnings("ignore:Seems like `optimizer.step")
def test_packing_and_accumulation_give_the_same_gradient(model_dir, tmp_path):
    # one sequence per response in one batch is the reference; shared-prompt packs and small micro-batches
    # (gradient accumulation) must give the same gradient
    grads = {}
    for budget, share in [(100_000, False), (100_000, True), (64, True), (64, False)]:
        config = make_config(
            model_dir,
            tmp_path / f"{budget}{share}",
            optim={"lr": 1e-3, "micro_batch_tokens": budget, "share_prompt": share},
        )
        with GRPOTrainer(config) as trainer:
            rollouts, _ = trainer.collect()
            captured = {}

            def capture(captured=captured, model=trainer.model):
                captured.update(
                    {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
                )

            trainer.optimizer.step = capture
            metrics = trainer.update(rollouts)
            grads[(budget, share)] = (captured, metrics["update/forward_tokens"])
    reference, ref_tokens = grads[(100_000, False)]
    assert grads[(100_000, True)][1] < ref_tokens  # the prompt ran once per group, not once per response
    for key, (got, _) in grads.items():
        assert got.keys() == reference.keys()
        for name in reference:
            torch.testing.assert_close(got[name], reference[name], rtol=1e-4, atol=1e-6, msg=f"{key} {name}")


def test_pack_rows_respects_budget():
    from agents.trainer import Rollouts, pack_length, pack_rows

    rollouts = Rollouts(
        tasks=[None] * 5,
        prompt_ids=[[1, 2, 3]] * 3 + [[4, 5]] * 2,
        response_ids=[[9] * 4, [9] * 5, [9] * 2, [9] * 3, [9]],
        texts=[""] * 5,
        truncated=[False] * 5,
        scores=[None] * 5,
        rewards=torch.zeros(5),
    )
    assert pack_rows(rollouts, range(5), 100) == [[0, 1, 2], [3, 4]]
    assert pack_rows(rollouts, range(5), 10) == [[0], [1, 2], [3, 4]]  # 3+4, then 3+5+2
    assert pack_rows(rollouts, range(5), 0) == [[0], [1], [2], [3], [4]]
    assert pack_length(rollouts, [0, 1, 2]) == 3 + 11


@pytest.mark.parametrize(
    "algo",
    [
        {"loss_reduction": "seq-mean", "advantage_scale": "none"},
        {"loss_reduction": "dr-grpo", "kl_coef": 0.05, "entropy_coef": 0.01},
        {"epochs": 2, "mini_batches": 2, "clip_high": 0.2},
    ],
)
def test_algorithm_variants_step(model_dir, tmp_path, algo):
    with GRPOTrainer(make_config(model_dir, tmp_path, algo=algo)) as trainer:
        metrics = trainer.step()
    assert torch.isfinite(torch.tensor(metrics["loss/total"]))
    if algo.get("kl_coef"):
        assert metrics["policy/kl"] == pytest.approx(0.0, abs=1e-6)  # first step: policy == reference
    if algo.get("epochs") == 2:
        assert metrics["update/optimizer_steps"] == 4.0
        assert metrics["policy/ratio_mean"] != 1.0  # later mini-batches are off-policy


def test_lora_step_changes_only_adapters(model_dir, tmp_path):
    pytest.importorskip("peft")
    engine = HFEngine(str(model_dir))
    config = make_config(
        model_dir, tmp_path, model={"path": str(model_dir), "precision": "fp32", "lora_rank": 4}
    )
    with GRPOTrainer(config, engine=engine) as trainer:
        base = {
            k: v.clone() for k, v in trainer.model.get_base_model().state_dict().items() if "lora_" not in k
        }
        trainer.step()
        path = trainer.save_checkpoint()
        for k, v in trainer.model.get_base_model().state_dict().items():
            if "lora_" not in k:
                assert torch.equal(base[k], v), k
    assert (path / "model" / "adapter_model.safetensors").is_file()
    # the engine holds merged weights: the adapters' delta is in it
    assert any(
        not torch.equal(base[k.replace(".weight", ".base_layer.weight")], v)
        for k, v in engine.model.state_dict().items()
        if "q_proj" in k
    )


def test_lora_with_the_shared_engine(model_dir, tmp_path):
    pytest.importorskip("peft")
    config = make_config(
        model_dir, tmp_path, model={"path": str(model_dir), "precision": "fp32", "lora_rank": 4}
    )
    with GRPOTrainer(config) as trainer:
        assert trainer.engine.model is trainer.model  # samples through the adapters, no sync needed
        metrics = trainer.step()
        assert trainer.engine.lean_unused_reason is None  # the lean decoder, the adapters' deltas added
    assert metrics["update/skipped"] == 0.0 and torch.isfinite(torch.tensor(metrics["loss/total"]))


def test_all_flat_groups_skip_the_update(model_dir, tmp_path):
    with GRPOTrainer(make_config(model_dir, tmp_path)) as trainer:
        rollouts, _ = trainer.collect()
        rollouts.rewards = torch.ones_like(rollouts.rewards)
        before = params_of(trainer.model)
        out = trainer.update(rollouts)
        assert out == {"update/groups_kept": 0.0, "update/skipped": 1.0}
        assert all(torch.equal(before[k], v) for k, v in params_of(trainer.model).items())


def test_unknown_env_fails_at_start(model_dir, tmp_path):
    config = make_config(model_dir, tmp_path, data={"sources": [{"env": "guru/Nope-v0"}]})
    with pytest.raises(ValueError, match="guru/Nope-v0"):
        GRPOTrainer(config)


def test_bad_model_path(tmp_path):
    config = make_config(tmp_path / "missing", tmp_path)
    with pytest.raises(FileNotFoundError, match="not a Hugging Face model directory"):
        GRPOTrainer(config)


# --- small pieces ----------------------------------------------------------------------------------------
def test_micro_batches_respect_budget_and_cover_all():
    lengths = [10, 50, 30, 31, 200, 5]
    batches = micro_batches(lengths, [0, 1, 2, 3, 4, 5], 64)
    assert sorted(i for b in batches for i in b) == [0, 1, 2, 3, 4, 5]
    assert batches[0] == [4]  # longer than the budget: alone
    for b in batches[1:]:
        assert len(b) * max(lengths[i] for i in b) <= 64
    assert micro_batches(lengths, [0, 5], 64) == [[0, 5]]


def test_shaped_reward():
    assert shaped_reward(Score.right("3"), 0.1) == pytest.approx(1.1)
    assert shaped_reward(Score.wrong("4", "wrong"), 0.1) == pytest.approx(0.1)
    assert shaped_reward(Score.wrong(None, "no answer"), 0.1) == 0.0
    assert shaped_reward(Score.wrong("4", "wrong"), 0.0) == 0.0
    # A response cut off by the token budget keeps its verdict; only the bonus needs it to have stopped.
    assert shaped_reward(Score.wrong("4", "wrong"), 0.1, truncated=True) == pytest.approx(0.1)
    assert shaped_reward(Score.wrong("4", "wrong"), 0.1, truncated=True, needs_stop=True) == 0.0
    assert shaped_reward(Score.right("3"), 0.1, truncated=True, needs_stop=True) == pytest.approx(1.0)
    assert shaped_reward(Score.right("3"), 0.1, truncated=False, needs_stop=True) == pytest.approx(1.1)
    # an empty box earns no format bonus: a policy paid for it learns to answer every prompt with one
    assert shaped_reward(Score.wrong("", "the boxed answer is empty"), 0.1) == 0.0
    assert shaped_reward(Score.wrong("\\text{ }", "empty"), 0.1) == 0.0


@pytest.mark.parametrize("needs_stop", [False, True])
def test_format_bonus_for_a_cut_off_response_only_when_no_stop_is_needed(model_dir, tmp_path, needs_stop):
    config = make_config(
        model_dir, tmp_path, data__format_reward=0.5, data__format_reward_needs_stop=needs_stop
    )
    with GRPOTrainer(config) as trainer:
        rollouts, _ = trainer.collect()
    cut = [i for i, t in enumerate(rollouts.truncated) if t and rollouts.scores[i].answered]
    assert cut  # a random policy runs past 12 tokens, and its text has vowels: an answer is read
    for i in cut:
        bonus = 0.0 if needs_stop else 0.5
        assert rollouts.rewards[i].item() == pytest.approx(rollouts.scores[i].reward + bonus)


def test_prompt_builder_worked_example():
    from guru_envs.core.registry import catalog

    family = catalog().family("agenttest", "vowels")
    task = family.sample(5, 1)
    msgs = PromptBuilder("Be brief.", True, 123).messages(task)
    example = family.sample(123, 1)
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user"]
    assert msgs[1]["content"] == example.prompt and msgs[2]["content"] == example.reference_response
    assert msgs[3]["content"] == task.prompt
    assert PromptBuilder(None, False, 123).messages(task) == [{"role": "user", "content": task.prompt}]


def test_reward_curve_smoothing_skips_steps_without_the_metric():
    # a step that drew no task of a domain has no value for it; the curve must go on after it
    from agents.plots import smooth

    out = smooth([1.0, float("nan"), 3.0, 5.0, float("nan"), float("nan")], window=2)
    assert out[:4].tolist() == [1.0, 1.0, 3.0, 4.0]
    assert out[4] == 5.0 and math.isnan(out[5])


@pytest.mark.filterwarnings("ignore:Seems like `optimizer.step")
def test_bf16_update_matches_float32(model_dir, tmp_path):
    """Under bf16 autocast the weights are cast once per mini-batch and shared by its micro-batches."""
    grads, rollouts = {}, None
    for precision, budget in [("fp32", 100_000), ("bf16", 100_000), ("bf16", 64)]:
        config = make_config(
            model_dir,
            tmp_path / f"{precision}{budget}",
            model={"path": str(model_dir), "precision": precision},
            optim={"lr": 1e-3, "micro_batch_tokens": budget},
        )
        with GRPOTrainer(config) as trainer:
            # the transformers engine samples a bf16 run in bf16 (a copy of the float32 master weights)
            assert trainer.engine.compute_dtype == (torch.bfloat16 if precision == "bf16" else torch.float32)
            if rollouts is None:
                rollouts, _ = trainer.collect()
            captured = {}

            def capture(captured=captured, model=trainer.model):
                captured.update({n: p.grad.clone() for n, p in model.named_parameters()})

            trainer.optimizer.step = capture
            trainer.update(rollouts)
            grads[(precision, budget)] = captured
    reference = grads[("fp32", 100_000)]
    for key in [("bf16", 100_000), ("bf16", 64)]:
        for name, want in reference.items():
            got = grads[key][name]
            assert got.dtype == torch.float32
            assert (got - want).norm() <= 0.03 * want.norm() + 1e-8, (key, name)
