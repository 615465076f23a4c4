"""Precision by hardware: ``auto`` never picks bf16 where every bf16 matmul would be emulated."""

import pytest
import torch

from agents.config import ModelConfig
from agents.models import resolve_precision


def test_default_precision_is_auto():
    assert ModelConfig().precision == "auto"


@pytest.mark.parametrize(
    ("avx512_bf16", "amx", "expected"),
    [(False, False, "fp32"), (True, False, "bf16"), (False, True, "bf16")],
)
def test_auto_on_cpu_follows_native_bf16(monkeypatch, avx512_bf16, amx, expected):
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    assert resolve_precision("auto", torch.device("cpu")) == expected


@pytest.mark.parametrize("precision", ["bf16", "fp32"])
def test_explicit_precision_is_kept(monkeypatch, precision):
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)
    assert resolve_precision(precision, torch.device("cpu")) == precision


def test_engines_pick_the_same_fast_dtype(monkeypatch):
    from guru_envs.rollout.hardware import fast_dtype

    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    assert fast_dtype("cpu") == "float32"
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True)
    assert fast_dtype("cpu") == "bfloat16"
