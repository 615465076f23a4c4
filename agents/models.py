"""The policy and its copies: loading (full or LoRA), the reference model, weights for an engine."""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from .config import BUNDLED_MODEL, GRPOConfig


def resolve_engine(engine: str) -> str:
    """``auto`` becomes ``vllm`` when vLLM is importable, else ``transformers``."""
    if engine != "auto":
        return engine
    import importlib.util

    return "vllm" if importlib.util.find_spec("vllm") is not None else "transformers"


def resolve_precision(precision: str, device: torch.device) -> str:
    """``auto`` becomes ``bf16`` on hardware with native bf16, else ``fp32``; the others stay."""
    from guru_envs.rollout.hardware import native_bf16

    if precision != "auto":
        return precision
    return "bf16" if native_bf16(device.type) else "fp32"


def resolve_model_path(path: str) -> Path:
    """A model directory; ``"smollm2"`` builds (once) and returns the bundled SmolLM2-135M-Instruct."""
    if path == BUNDLED_MODEL:
        from guru_envs.rollout.models import prepare_smollm2

        return prepare_smollm2()
    resolved = Path(path).expanduser()
    if not (resolved / "config.json").is_file():
        raise FileNotFoundError(f"model.path {path!r} is not a Hugging Face model directory (no config.json)")
    return resolved


def load_policy(path: Path, config: GRPOConfig, device: torch.device) -> tuple[Any, Any]:
    """The trainable policy (float32 master weights; LoRA-wrapped when ``lora_rank > 0``) and tokenizer."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(path))
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32).to(device)
    if config.model.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    if config.model.lora_rank > 0:
        try:
            from peft import LoraConfig, get_peft_model
        except ImportError as exc:
            raise ImportError("model.lora_rank > 0 needs peft: pip install peft") from exc
        lora = LoraConfig(
            r=config.model.lora_rank,
            lora_alpha=config.model.lora_alpha,
            target_modules=list(config.model.lora_targets),
            lora_dropout=0.0,
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, lora)
    model.train()
    return model, tokenizer


def decoder_of(model: Any) -> Any:
    """The transformer body (embeddings + layers + final norm) of a causal LM, LoRA-wrapped or not."""
    base = model.get_base_model() if is_lora(model) else model
    return base.get_decoder()


def make_reference(model: Any) -> Any:
    """A frozen copy of the initial policy for the KL term."""
    import copy

    ref = copy.deepcopy(model)
    for p in ref.parameters():
        p.requires_grad_(False)
    return ref.eval()


def merged_state_dict(model: Any) -> dict[str, torch.Tensor]:
    """Full weights with Hugging Face names: LoRA deltas added (for engines that hold their own copy).

    The deltas are added to copies; merging into the live base weights and back would let rounding
    drift the frozen weights a little at every sync.
    """
    if not is_lora(model):
        return model.state_dict()
    from peft.tuners.lora import LoraLayer

    base = model.get_base_model()
    out = {
        name.replace(".base_layer.", "."): tensor.detach()
        for name, tensor in base.state_dict().items()
        if "lora_" not in name
    }
    with torch.no_grad():
        for name, module in base.named_modules():
            if isinstance(module, LoraLayer):
                for adapter in module.active_adapters:
                    key = f"{name}.weight"
                    out[key] = out[key] + module.get_delta_weight(adapter).to(out[key].dtype)
    return out


def is_lora(model: Any) -> bool:
    """Whether ``model`` is a peft LoRA wrapper (peft is only imported when it is installed)."""
    try:
        from peft import PeftModel
    except ImportError:
        return False
    return isinstance(model, PeftModel)


def load_weights_into(model: Any, directory: Path) -> None:
    """Load a checkpoint saved by ``save_pretrained`` (full model or LoRA adapter) into ``model``."""
    if is_lora(model):
        from peft import set_peft_model_state_dict
        from safetensors.torch import load_file

        set_peft_model_state_dict(model, load_file(directory / "adapter_model.safetensors"))
        return
    from guru_envs.rollout.weights import read_safetensors_dir

    state = read_safetensors_dir(directory)
    missing, unexpected = model.load_state_dict(state, strict=False)
    tied = {"lm_head.weight"} if getattr(model.config, "tie_word_embeddings", False) else set()
    if set(missing) - tied or unexpected:
        raise ValueError(
            f"checkpoint {directory} does not match the model: missing {missing[:5]}, unexpected {unexpected[:5]}"
        )


def pad_rows(rows: Sequence[torch.Tensor], width: int) -> torch.Tensor:
    """Stack 1-D tensors right-padded with zeros to ``width``."""
    out = torch.zeros((len(rows), width), dtype=rows[0].dtype, device=rows[0].device)
    for r, row in enumerate(rows):
        out[r, : row.shape[0]] = row
    return out


def keep_freed_memory() -> None:
    """Stop glibc from handing freed activations back to the OS between micro-batches (CPU training).

    By default glibc trims its heap and unmaps large blocks as soon as they are freed, so every
    micro-batch page-faults its activations in again: about a million faults and several seconds of
    kernel time per GRPO step of a 135M model. Keeping blocks under 32 MB (glibc's maximum) in the heap,
    and up to 1 GiB of freed heap, removes most of that. A no-op on other C libraries.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)
    mallopt(m_trim_threshold, 1 << 30)
