"""Transformers engine: batched sampling with a KV cache in plain torch, the CPU fallback.

A hand-written decode loop rather than ``model.generate`` because a trainer needs things generate does
not give together: a private random stream per completion (results do not depend on how prompts were
batched), raw log-probabilities of the sampled tokens, vLLM's stop-string semantics, one prefill per
prompt shared by its n samples, and dropping finished rows so long groups do not drag short ones.
The engine can share the trainer's live module, so weight sync costs nothing.

Llama-family models (Llama, Qwen2, Mistral: SmolLM2, Qwen2.5, ...), bare or with peft LoRA adapters,
decode through :class:`~guru_envs.rollout.lean_decoder.LeanDecoder` (a preallocated cache, fused
projections with the adapters' deltas added, weight matmuls in ``compute_dtype``); other architectures
and adapters through the model's own forward (``HFEngine.lean_unused_reason`` says why).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from guru_envs.rollout.base import (
    Completion,
    Prompt,
    RolloutEngine,
    RolloutGroup,
    SamplingParams,
    derive_seed,
    truncate_at_stop,
)
from guru_envs.rollout.weights import as_state_dict

if TYPE_CHECKING:
    import torch

    from guru_envs.rollout.base import WeightsSource
    from guru_envs.rollout.lean_decoder import LeanDecoder

# A finished row stays in the batch (wasting compute) until this share of the batch has finished,
# then the batch is compacted; compacting copies the whole KV cache, so not at every finish.
_COMPACT_FRACTION = 0.25


def inverse_cdf(weights: torch.Tensor, u: torch.Tensor, block: int = 1024) -> torch.Tensor:
    """Per row, the first index whose cumulative weight reaches ``u`` times the row's total.

    ``weights [B, V]`` are non-negative and need not sum to one; ``u [B]`` in ``[0, 1)``. The index is
    found in two levels (block sums, then one block's cumulative sum), so a step reads the vocabulary
    once more after the exponential instead of running a full cumulative sum over it; a token of zero
    weight is never returned.
    """
    import torch

    rows, vocab = weights.shape
    blocks = -(-vocab // block)
    if blocks * block != vocab:
        weights = torch.nn.functional.pad(weights, (0, blocks * block - vocab))
    tiled = weights.view(rows, blocks, block)
    block_sums = tiled.sum(-1)
    block_cdf = block_sums.cumsum(-1)
    tiny = torch.finfo(weights.dtype).tiny
    target = (u.to(weights.dtype) * block_cdf[:, -1]).clamp(min=tiny).minimum(block_cdf[:, -1])
    chosen = torch.searchsorted(block_cdf, target[:, None]).clamp_(max=blocks - 1)
    inner = tiled[torch.arange(rows, device=weights.device), chosen[:, 0]].cumsum(-1)
    within = target[:, None] - (block_cdf.gather(-1, chosen) - block_sums.gather(-1, chosen))
    within = within.clamp(min=tiny).minimum(inner[:, -1:])
    offset = torch.searchsorted(inner, within).clamp_(max=block - 1)
    return (chosen * block + offset).squeeze(-1)


@dataclass
class _Row:
    prompt: int
    sample: int
    prompt_len: int
    limit: int
    generator: torch.Generator
    tokens: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    finish: str | None = None
    stop_reason: str | int | None = None


class HFEngine(RolloutEngine):
    """Sample from a Hugging Face causal LM in-process (CPU or one GPU).

    Args:
        model: a checkpoint directory / hub id, or a live ``PreTrainedModel`` (shared, not copied:
            a trainer that updates it in place needs no weight sync).
        tokenizer: tokenizer or its path; defaults to the model's directory.
        dtype: load dtype for a path (default float32); ignored for a live module.
        device: where to run a loaded model (default: CUDA if available, else CPU).
        max_batch_size: most sequences decoded together; larger is faster until memory runs out.
        seed: seeds the engine's own stream, used when a call gives no ``SamplingParams.seed``.
        chat_template_kwargs: extra variables for the chat template.
        compute_dtype: dtype of the weight matmuls while sampling (default: the model's). ``bfloat16``
            on a float32 module (a trainer's master weights) samples from a bfloat16 copy taken at the
            start of every call; about twice as fast on CPUs with AVX-512 BF16, and the precision a
            ``bf16`` trainer computes its log-probs in.
        lean: decode Llama-family models with :class:`~guru_envs.rollout.lean_decoder.LeanDecoder`
            (False: always the model's own forward, e.g. to compare). A model it cannot run uses its own
            forward; ``lean_unused_reason`` then says why.
    """

    name = "hf"

    def __init__(
        self,
        model: Any,
        tokenizer: Any | None = None,
        *,
        dtype: torch.dtype | str | None = None,
        device: str | torch.device | None = None,
        max_batch_size: int = 64,
        seed: int = 0,
        chat_template_kwargs: dict[str, Any] | None = None,
        compute_dtype: torch.dtype | str | None = None,
        lean: bool = True,
    ) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if max_batch_size < 1:
            raise ValueError(f"max_batch_size must be >= 1, got {max_batch_size}")
        if isinstance(model, str | os.PathLike):
            path = str(model)
            if isinstance(dtype, str):
                dtype = getattr(torch, dtype)
            if device is None:
                device = "cuda" if torch.cuda.is_available() else "cpu"
            model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype or torch.float32).to(device)
            if tokenizer is None:
                tokenizer = path
        elif not isinstance(model, torch.nn.Module):
            raise TypeError(f"model must be a path or a torch module, got {type(model).__name__}")
        if tokenizer is None:
            tokenizer = getattr(model, "name_or_path", None)
            if not tokenizer:
                raise ValueError("a live model needs an explicit tokenizer")
        if isinstance(tokenizer, str | os.PathLike):
            tokenizer = AutoTokenizer.from_pretrained(str(tokenizer))
        super().__init__(tokenizer, chat_template_kwargs=chat_template_kwargs)
        self.model = model
        self.max_batch_size = max_batch_size
        if isinstance(compute_dtype, str):
            compute_dtype = getattr(torch, compute_dtype)
        self.compute_dtype = compute_dtype or next(model.parameters()).dtype
        self.lean = lean
        self._lean_decoder: LeanDecoder | None = None
        self.lean_unused_reason: str | None = None  # why the last generate did not use the lean decoder
        self._rng = np.random.default_rng(seed)
        eos: set[int] = set()
        for source in (tokenizer.eos_token_id, getattr(model.generation_config, "eos_token_id", None)):
            if isinstance(source, int):
                eos.add(source)
            elif isinstance(source, list | tuple):
                eos.update(int(t) for t in source)
        if not eos:
            raise ValueError("the tokenizer and generation config name no EOS token")
        self.eos_token_ids = frozenset(eos)
        pad = tokenizer.pad_token_id
        self.pad_token_id = int(pad) if pad is not None else min(eos)
        self.max_context = int(getattr(model.config, "max_position_embeddings", 0) or 0) or None

    @property
    def device(self) -> torch.device:
        """Device of the model's parameters."""
        return next(self.model.parameters()).device

    def update_weights(self, weights: WeightsSource) -> None:
        """Load new weights; a no-op when given the very module the engine already samples from."""
        if weights is self.model:
            return
        missing, unexpected = self.model.load_state_dict(dict(as_state_dict(weights)), strict=False)
        # tied heads are legitimately absent from saved checkpoints; anything else is a mismatch
        tied = {"lm_head.weight"} if getattr(self.model.config, "tie_word_embeddings", False) else set()
        if set(missing) - tied or unexpected:
            raise ValueError(
                f"weights do not match the model: missing {sorted(set(missing) - tied)[:5]}, "
                f"unexpected {sorted(unexpected)[:5]}"
            )

    def _generate(self, prompts: list[Prompt], params: SamplingParams) -> list[RolloutGroup]:
        import torch

        encoded = [self.encode(p) for p in prompts]
        seeds = [
            params.prompt_seed(i) if params.seed is not None else int(self._rng.integers(2**63 - 1))
            for i in range(len(prompts))
        ]
        rows: list[_Row] = []
        # longest prompts first, so each chunk pads little; a prompt's samples stay adjacent
        for i in sorted(range(len(prompts)), key=lambda i: -len(encoded[i][1])):
            plen = len(encoded[i][1])
            limit = (
                params.max_tokens
                if self.max_context is None
                else min(params.max_tokens, self.max_context - plen)
            )
            if limit < 1:  # fills the context: an empty "length" completion, as the vLLM engine gives
                continue
            for j in range(params.n):
                gen = torch.Generator(device=self.device)
                gen.manual_seed(derive_seed(seeds[i], j))
                rows.append(_Row(prompt=i, sample=j, prompt_len=plen, limit=limit, generator=gen))
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.inference_mode():
                decoder = self._decoder()
                if decoder is not None:
                    decoder.refresh()  # the module may have changed since the last call
                for start in range(0, len(rows), self.max_batch_size):
                    self._decode_chunk(rows[start : start + self.max_batch_size], encoded, params, decoder)
        finally:
            self.model.train(was_training)
        groups = [RolloutGroup(prompt_text=t, prompt_token_ids=ids) for t, ids in encoded]
        for row in sorted(rows, key=lambda r: (r.prompt, r.sample)):
            groups[row.prompt].completions.append(self._finish(row, params))
        for group in groups:
            if not group.completions:  # the prompt filled the context
                group.completions = [
                    Completion(text="", token_ids=[], finish_reason="length") for _ in range(params.n)
                ]
        return groups

    def _decoder(self) -> LeanDecoder | None:
        """The lean decoder for this model, built on first use (None: the model's own forward is used).

        Checked at every call: a shared module's adapters can change between generations (a DoRA adapter
        added, adapters merged and disabled), and the check is a walk over its modules, no arithmetic.
        """
        if not self.lean:
            self.lean_unused_reason = "lean=False"
            return None
        from guru_envs.rollout.lean_decoder import LeanDecoder, unsupported_reason

        self.lean_unused_reason = unsupported_reason(self.model)
        if self.lean_unused_reason is not None:
            self._lean_decoder = None
        elif self._lean_decoder is None or self._lean_decoder.model is not self.model:
            self._lean_decoder = LeanDecoder(self.model, self.compute_dtype)
        return self._lean_decoder

    def _decode_chunk(
        self,
        rows: list[_Row],
        encoded: list[tuple[str, list[int]]],
        params: SamplingParams,
        decoder: LeanDecoder | None,
    ) -> None:
        """Prefill each distinct prompt once, fan it out to its rows, then decode until all rows finish."""
        import torch

        dev = self.device
        uniq = list(dict.fromkeys(r.prompt for r in rows))
        width = max(len(encoded[p][1]) for p in uniq)
        ids = torch.full((len(uniq), width), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(uniq), width), dtype=torch.long)
        for k, p in enumerate(uniq):  # left padding: every prompt ends at the last column
            toks = encoded[p][1]
            ids[k, width - len(toks) :] = torch.tensor(toks, dtype=torch.long)
            mask[k, width - len(toks) :] = 1
        ids, mask = ids.to(dev), mask.to(dev)
        fan = torch.tensor([uniq.index(r.prompt) for r in rows], dtype=torch.long, device=dev)
        if decoder is not None:
            batch, logits = decoder.start(ids, mask, fan, max(r.limit for r in rows))
        else:
            batch = _ModelBatch(self.model, self.compute_dtype)
            logits = batch.start(ids, mask, fan)
        active = list(rows)  # rows still in the batch, aligned with batch index
        stop_window = 4 * max((len(s) for s in params.stop), default=0) + 2
        while True:
            tokens, logprobs = self._sample(logits, [r.generator for r in active], params)
            tok_list = tokens.tolist()
            lp_list = logprobs.tolist() if logprobs is not None else None
            for b, row in enumerate(active):
                if row.finish is not None:
                    continue
                t = tok_list[b]
                row.tokens.append(t)
                if lp_list is not None:
                    row.logprobs.append(lp_list[b])
                self._check_finish(row, t, params, stop_window)
            live = [b for b, r in enumerate(active) if r.finish is None]
            if not live:
                return
            if len(active) - len(live) >= max(1, int(_COMPACT_FRACTION * len(active))):
                keep = torch.tensor(live, dtype=torch.long, device=dev)
                batch.select(keep)
                tokens = tokens[keep]
                active = [active[b] for b in live]
            logits = batch.step(tokens)

    @staticmethod
    def _sample(
        logits: torch.Tensor, generators: Sequence[torch.Generator], params: SamplingParams
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Draw one token per row with its own generator (inverse CDF over the filtered distribution)."""
        import torch

        if params.greedy:
            tokens = logits.argmax(-1)
        else:
            weights = logits.to(torch.float32, copy=True)  # changed in place below
            if params.temperature != 1.0:
                weights.div_(params.temperature)
            order = None
            if params.top_p < 1.0 or params.top_k > 0:
                weights, order = weights.sort(dim=-1, descending=True)
            # unnormalised probabilities: exp(z - max); the CDF search below scales u by their sum
            weights.sub_(weights.amax(dim=-1, keepdim=True)).exp_()
            if order is not None:
                probs = weights / weights.sum(dim=-1, keepdim=True)
                drop = torch.zeros_like(probs, dtype=torch.bool)
                if params.top_k > 0:
                    drop[:, params.top_k :] = True
                if params.top_p < 1.0:  # drop a token once the mass before it already reaches top_p
                    drop |= (probs.cumsum(-1) - probs) >= params.top_p
                weights = probs.masked_fill_(drop, 0.0)
            u = torch.stack([torch.rand((), generator=g, device=weights.device) for g in generators])
            picked = inverse_cdf(weights, u)
            tokens = order.gather(-1, picked[:, None]).squeeze(-1) if order is not None else picked
        logprobs = None
        if params.logprobs:
            logprobs = logits.float().log_softmax(-1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1)
        return tokens, logprobs

    def _check_finish(self, row: _Row, token: int, params: SamplingParams, stop_window: int) -> None:
        if token in self.eos_token_ids:
            row.finish = "stop"
        elif token in params.stop_token_ids:
            row.finish, row.stop_reason = "stop", token
        elif params.stop:
            tail = self.tokenizer.decode(row.tokens[-stop_window:], skip_special_tokens=True)
            _, found = truncate_at_stop(tail, params.stop)
            if found is not None:
                row.finish, row.stop_reason = "stop", found
        if row.finish is None and len(row.tokens) >= row.limit:
            row.finish = "length"

    def _finish(self, row: _Row, params: SamplingParams) -> Completion:
        # as vLLM: special tokens (EOS) are dropped from the text, a plain stop token id is kept
        text = self.tokenizer.decode(row.tokens, skip_special_tokens=True)
        if isinstance(row.stop_reason, str):
            text, _ = truncate_at_stop(text, params.stop)
        return Completion(
            text=text,
            token_ids=list(row.tokens),
            finish_reason=row.finish or "length",
            stop_reason=row.stop_reason,
            logprobs=list(row.logprobs) if params.logprobs else None,
        )


class _ModelBatch:
    """Decoding through the model's own forward and a ``DynamicCache`` (any architecture).

    A ``compute_dtype`` other than the module's runs under autocast (the weights are cast at every
    step, so this path is slow; Llama-family models take :class:`LeanDecoder` instead).
    """

    def __init__(self, model: Any, compute_dtype: torch.dtype) -> None:
        import contextlib

        import torch

        self.model = model
        param_dtype = next(model.parameters()).dtype
        device = next(model.parameters()).device
        self._autocast = (
            (lambda: torch.autocast(device_type=device.type, dtype=compute_dtype))
            if compute_dtype != param_dtype
            else contextlib.nullcontext
        )

    def start(self, ids: torch.Tensor, mask: torch.Tensor, fan: torch.Tensor) -> torch.Tensor:
        """Prefill the left-padded prompts ``ids [U, W]``; returns the first logits of rows ``fan``."""
        from transformers import DynamicCache

        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        with self._autocast():
            out = self.model(
                input_ids=ids,
                attention_mask=mask,
                position_ids=pos,
                past_key_values=DynamicCache(config=self.model.config),
                use_cache=True,
                logits_to_keep=1,
            )
        self.cache = out.past_key_values
        self.cache.batch_select_indices(fan)
        self.mask = mask[fan]
        self.next_pos = pos[fan, -1] + 1
        return out.logits[:, -1, :][fan]

    def step(self, tokens: torch.Tensor) -> torch.Tensor:
        """Append one token per row; returns the next logits."""
        import torch

        self.mask = torch.cat([self.mask, self.mask.new_ones((self.mask.shape[0], 1))], dim=1)
        with self._autocast():
            out = self.model(
                input_ids=tokens[:, None],
                attention_mask=self.mask,
                position_ids=self.next_pos[:, None],
                past_key_values=self.cache,
                use_cache=True,
            )
        self.cache = out.past_key_values
        self.next_pos = self.next_pos + 1
        return out.logits[:, -1, :]

    def select(self, rows: torch.Tensor) -> None:
        """Keep only ``rows``."""
        self.cache.batch_select_indices(rows)
        self.mask, self.next_pos = self.mask[rows], self.next_pos[rows]
