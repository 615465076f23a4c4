"""The SkyRL launcher's config assembly, which needs no SkyRL install (validation against SkyRL is in test_skyrl)."""

import pytest

from agents.config import from_dict
from agents.skyrl.launch import (
    build_overrides,
    format_value,
    main,
    overrides_from_grpo_config,
    preset_overrides,
)


def as_dict(overrides):
    return dict(item.split("=", 1) for item in overrides)


def test_presets_scale_up():
    one, eight = preset_overrides("1gpu"), preset_overrides("8gpu")
    multi = preset_overrides("multinode", nodes=4)
    assert (
        one["trainer.placement.policy_num_gpus_per_node"] == 1
        and eight["trainer.placement.policy_num_gpus_per_node"] == 8
    )
    assert multi["trainer.placement.policy_num_nodes"] == 4
    assert multi["generator.inference_engine.num_engines"] == 4 * 8 // 2  # TP 2 engines over 32 GPUs
    assert multi["trainer.train_batch_size"] == 512 and multi["generator.n_samples_per_prompt"] == 16
    for preset in (one, eight, multi):
        assert preset["trainer.algorithm.advantage_estimator"] == "grpo"
        assert preset["trainer.algorithm.use_kl_loss"] is False


def test_build_overrides_puts_model_data_and_extras():
    got = build_overrides(
        "1gpu", "Qwen/Qwen2.5-0.5B-Instruct", ["a.parquet", "b.parquet"], extra=["trainer.seed=7"]
    )
    values = as_dict(got)
    assert values["trainer.policy.model.path"] == "Qwen/Qwen2.5-0.5B-Instruct"
    assert values["data.train_data"] == "['a.parquet','b.parquet']"
    assert values["data.val_data"] == "['a.parquet']"
    assert got[-1] == "trainer.seed=7"
    assert values["trainer.algorithm.zero_variance_filter"] == "true"


def test_our_config_maps_onto_skyrl_names():
    config = from_dict(
        {
            "data": {"prompts_per_step": 64, "group_size": 16},
            "algo": {
                "loss_reduction": "dr-grpo",
                "advantage_scale": "none",
                "kl_coef": 0.01,
                "mini_batches": 4,
                "clip_high": 0.3,
            },
            "rollout": {"max_new_tokens": 1024},
            "optim": {"lr": 3e-6},
        }
    )
    values = overrides_from_grpo_config(config)
    assert values["trainer.algorithm.loss_reduction"] == "seq_mean_token_sum_norm"
    assert values["trainer.algorithm.max_seq_len"] == 1024
    assert values["trainer.algorithm.grpo_norm_by_std"] is False
    assert (
        values["trainer.algorithm.use_kl_loss"] is True and values["trainer.algorithm.kl_loss_coef"] == 0.01
    )
    assert values["trainer.train_batch_size"] == 64 and values["trainer.policy_mini_batch_size"] == 16
    assert values["generator.n_samples_per_prompt"] == 16
    assert values["trainer.algorithm.eps_clip_high"] == 0.3
    assert values["trainer.policy.optimizer_config.lr"] == 3e-6


@pytest.mark.parametrize(
    "args, message",
    [
        (("nope", "m", ["a"]), "unknown preset"),
        (("1gpu", "m", []), "at least one training file"),
        (("1gpu", "m", ["a"], (), 1, None, ["no-equals"]), "key.path=value"),
    ],
)
def test_bad_launch_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        build_overrides(*args)


def test_format_value():
    assert format_value(True) == "true" and format_value(["x", 1]) == "['x',1]" and format_value(0.5) == "0.5"


def test_dry_run_prints_the_command(capsys, tmp_path):
    assert (
        main(["--preset", "1gpu", "--model", "m", "--train", str(tmp_path / "a.parquet"), "--dry-run"]) == 0
    )
    out = capsys.readouterr().out
    assert "agents.skyrl.entrypoint" in out and "trainer.policy.model.path=m" in out


def test_lora_adapters_map_onto_skyrl_or_are_refused():
    """Dropping the adapters would train every weight at an adapter's learning rate: mapped or refused."""
    values = overrides_from_grpo_config(from_dict({"model": {"lora_rank": 16, "lora_alpha": 32.0}}))
    assert values["trainer.policy.model.lora.rank"] == 16
    assert values["trainer.policy.model.lora.alpha"] == 32
    assert values["trainer.policy.model.lora.target_modules"] == "all-linear"
    assert (
        overrides_from_grpo_config(from_dict({"model": {"lora_rank": 0}}))["trainer.policy.model.lora.rank"]
        == 0
    )
    with pytest.raises(ValueError, match="integer alpha"):
        overrides_from_grpo_config(from_dict({"model": {"lora_rank": 8, "lora_alpha": 12.5}}))
    with pytest.raises(ValueError, match="target_modules"):
        overrides_from_grpo_config(
            from_dict({"model": {"lora_rank": 8, "lora_targets": ["q_proj", "v_proj"]}})
        )
