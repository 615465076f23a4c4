"""A lean decode loop for Llama-family causal LMs: one preallocated KV cache and fused projections.

Why not ``model(...)`` with a ``DynamicCache`` per token: on a CPU the framework costs about as much as
the arithmetic. The cache grows by concatenation (every step copies all of it), attention for a single
query goes through SDPA's general path, every layer walks several wrappers, and a trainer's module
computes in the dtype of its float32 master weights, half the speed of bfloat16 on CPUs with AVX-512
BF16. Here:

- the weights are copied into the compute dtype, with q/k/v and gate/up fused into one matmul each, at
  the start of every generation (:meth:`LeanDecoder.refresh`; a fraction of a second for a 135M model),
  so an engine that shares a trainer's live module samples from its current weights with no explicit
  sync (parameter version counters cannot tell: fused optimisers update in place without bumping them);
- prompts are left-padded, so every row writes its next key and value into the same column of a cache
  allocated once for the whole generation, and attention is two batched matmuls over the filled columns;
- the residual stream, the RMSNorms, rotary embeddings and attention run in float32 (as under autocast,
  the trainer's precision), only the weight matmuls in the compute dtype.

The arithmetic is the model's own (RMSNorm, the model's rotary module, grouped-query attention, SiLU MLP):
the tests compare its log-probs with the model's forward and its greedy tokens with ``generate``.
Architectures it does not know fall back to the model's own forward (:func:`unsupported_reason`).

A peft LoRA model (a ``PeftModel``, or its base model with LoRA layers in it) decodes from the base
causal LM with each projection's effective weight, taken at :meth:`LeanDecoder.refresh` as peft's
forward would apply it: the base weight plus every active adapter's ``scaling * B @ A`` (peft's
``get_delta_weight``; a bias adapter's bias added too), or the base weight alone when the layer's
adapters are disabled or already merged into it. Adapter dropout is the identity in eval mode, where the engine samples. What
is not a weight delta (DoRA and the other LoRA variants, other peft methods, modules_to_save, LoRA on the
embeddings or the head) falls back to the model's own forward, with :func:`unsupported_reason` saying why.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812 - the usual alias

SUPPORTED_MODEL_TYPES = frozenset({"llama", "qwen2", "mistral"})
# rotary variants whose angles depend on the position only (not on the length seen so far)
_STATIC_ROPE_TYPES = frozenset({"default", "linear", "llama3", "yarn"})


def unsupported_reason(model: Any) -> str | None:
    """Why :class:`LeanDecoder` cannot run ``model`` (None when it can)."""
    peft = sys.modules.get("peft")  # a peft model exists only once peft is imported
    if peft is not None and isinstance(model, peft.PeftModel):
        others = sorted(
            f"{name}: {c.peft_type}"
            for name, c in model.peft_config.items()
            if c.peft_type != peft.PeftType.LORA
        )
        if others:
            return f"peft adapters other than LoRA ({', '.join(others)})"
        model = model.get_base_model()
    config = getattr(model, "config", None)
    body = getattr(model, "model", None)
    if config is None or getattr(config, "model_type", None) not in SUPPORTED_MODEL_TYPES:
        return f"model type {getattr(config, 'model_type', None)!r} is not one of {sorted(SUPPORTED_MODEL_TYPES)}"
    if not all(hasattr(body, a) for a in ("embed_tokens", "layers", "norm", "rotary_emb")) or not hasattr(
        model, "lm_head"
    ):
        return "not a plain transformers causal LM (a wrapper other than peft LoRA, or a custom module)"
    if getattr(config, "hidden_act", "silu") != "silu":
        return f"activation {config.hidden_act!r} is not silu"
    if getattr(config, "pretraining_tp", 1) != 1:
        return "pretraining_tp > 1"
    rope = getattr(body.rotary_emb, "rope_type", "default")
    if rope not in _STATIC_ROPE_TYPES:
        return f"rotary type {rope!r} depends on the sequence length"
    window = getattr(config, "sliding_window", None)
    if window and getattr(config, "use_sliding_window", config.model_type == "mistral"):
        return "sliding-window attention"
    attn = body.layers[0].self_attn
    if any(hasattr(attn, name) for name in ("q_norm", "k_norm")):
        return "query/key norms"
    projections = {}
    for index, layer in enumerate(body.layers):
        for part, names in ((layer.self_attn, _ATTENTION), (layer.mlp, _MLP)):
            for name in names:
                module = getattr(part, name, None)
                reason = _projection_reason(module, peft)
                if reason is not None:
                    return f"layer {index} {name}: {reason}"
                projections[id(module)] = module
    if peft is not None:  # any other peft module changes what the model computes (modules_to_save, ...)
        from peft.tuners.tuners_utils import BaseTunerLayer

        try:  # modules_to_save, trainable tokens
            from peft.utils.other import AuxiliaryTrainingWrapper as Wrapper
        except ImportError:  # older peft
            from peft.utils import ModulesToSaveWrapper as Wrapper

        for name, module in model.named_modules():
            if isinstance(module, BaseTunerLayer | Wrapper) and id(module) not in projections:
                return f"peft module {type(module).__name__} at {name} (only LoRA on the projections is read)"
    return None


_ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")
_MLP = ("gate_proj", "up_proj", "down_proj")


def _projection_reason(module: Any, peft: Any) -> str | None:
    """Why a projection's effective weight cannot be read (None: a Linear, or a LoRA Linear over one)."""
    if type(module) is torch.nn.Linear:
        return None
    if peft is None or type(module) is not peft.tuners.lora.Linear:
        kind = type(module)
        return f"{kind.__module__}.{kind.__qualname__} is neither torch's Linear nor peft's LoRA Linear"
    if type(module.base_layer) is not torch.nn.Linear:
        return f"LoRA over a {type(module.base_layer).__name__}, not a Linear"
    if module.fan_in_fan_out:
        return "LoRA with fan_in_fan_out on a Linear"
    if module.disable_adapters:
        # peft's forward would first take the merged deltas back out of the base weight, in place
        return "adapters merged, then disabled" if module.merged else None
    if module.merged:  # forward runs the base layer alone: the merged deltas are in its weight
        return None
    for name in module.active_adapters:
        if name not in module.lora_A:
            continue
        variant = getattr(module, "lora_variant", {}).get(name)  # older peft flags DoRA only
        if variant is not None or getattr(module, "use_dora", {}).get(name):
            kind = type(variant).__name__ if variant is not None else "DoRA"
            return f"adapter {name!r} is a LoRA variant ({kind}), not a weight delta"
    return None


def _adapters(module: Any) -> tuple[Any, list[tuple[torch.Tensor, torch.Tensor, float, torch.Tensor | None]]]:
    """A projection's Linear and the LoRA terms its forward adds: ``(A, B, scaling, B's bias)`` each.

    peft's forward adds ``lora_B(lora_A(x)) * scaling`` per active adapter (``get_delta_weight`` is
    ``scaling * B @ A``), and nothing when the adapters are disabled or merged into the base weight.
    """
    if type(module) is torch.nn.Linear:
        return module, []
    if module.disable_adapters or module.merged:
        return module.base_layer, []
    terms = []
    for name in module.active_adapters:
        if name in module.lora_A:
            b = module.lora_B[name]
            bias = None if b.bias is None else b.bias.detach()
            terms.append((module.lora_A[name].weight.detach(), b.weight.detach(), module.scaling[name], bias))
    return module.base_layer, terms


def _fused(projections: list[Any], dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The effective weights (and biases, zeros where a part has none) of projections stacked into one.

    LoRA terms are added to the stacked copy in place (one pass over each part, at least in float32,
    then cast to ``dtype`` with the rest), not as separate full-size deltas.
    """
    parts = [_adapters(m) for m in projections]
    weight = torch.cat([linear.weight.detach() for linear, _ in parts])
    lora = any(terms for _, terms in parts)
    if lora:
        weight = weight.to(torch.promote_types(weight.dtype, torch.float32))
    biased = any(linear.bias is not None or any(t[3] is not None for t in terms) for linear, terms in parts)
    bias = weight.new_zeros(weight.shape[0]) if biased else None
    row = 0
    for linear, terms in parts:
        rows = slice(row, row + linear.weight.shape[0])
        row = rows.stop
        if linear.bias is not None:
            bias[rows] = linear.bias.detach()
        for a, b, scaling, b_bias in terms:
            weight[rows].addmm_(b.to(weight.dtype), a.to(weight.dtype), alpha=scaling)
            if b_bias is not None:
                bias[rows].add_(b_bias.to(bias.dtype), alpha=scaling)
    return weight.to(dtype), None if bias is None else bias.to(dtype)


@dataclass
class _Layer:
    norm_attn: torch.Tensor
    qkv: tuple[torch.Tensor, torch.Tensor | None]
    out: tuple[torch.Tensor, torch.Tensor | None]
    norm_mlp: torch.Tensor
    gate_up: tuple[torch.Tensor, torch.Tensor | None]
    down: tuple[torch.Tensor, torch.Tensor | None]


PREFILL_SCORE_BYTES = 256 * 2**20  # attention scores of one prefill slice (see LeanDecoder.start)


class LeanDecoder:
    """Batched decoding of a Llama-family model in ``dtype`` (see the module docstring).

    Args:
        model: a transformers ``LlamaForCausalLM``, ``Qwen2ForCausalLM`` or ``MistralForCausalLM``, bare or
            with peft LoRA adapters (checked with :func:`unsupported_reason`); shared, never modified.
        dtype: dtype of the weight matmuls (default: the model's).

    Call :meth:`refresh` before each generation to pick up changed weights.
    """

    def __init__(self, model: Any, dtype: torch.dtype | None = None) -> None:
        reason = unsupported_reason(model)
        if reason is not None:
            raise ValueError(f"LeanDecoder cannot run this model: {reason}")
        self.model = model
        peft = sys.modules.get("peft")
        # the causal LM whose modules are read (LoRA layers included: refresh() applies them)
        self.base = (
            model.get_base_model() if peft is not None and isinstance(model, peft.PeftModel) else model
        )
        self.dtype = dtype or next(model.parameters()).dtype
        config = self.base.config
        self.heads = config.num_attention_heads
        self.kv_heads = getattr(config, "num_key_value_heads", None) or self.heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // self.heads
        self.eps = float(config.rms_norm_eps)
        self.scaling = self.head_dim**-0.5
        self.layers: list[_Layer] = []  # filled by refresh()

    @torch.no_grad()
    def refresh(self) -> None:
        """Copy the model's current weights (call before each generation: the module may have changed).

        LoRA adapters are applied to the copies as peft's forward applies them in eval mode at this
        moment (active adapters, scaling, merged or disabled state); the module itself is not changed.
        """
        body, dtype = self.base.model, self.dtype
        self.embed = body.embed_tokens.weight.detach()  # looked up, not multiplied: stays as it is
        self.head = self.base.lm_head.weight.detach().to(dtype)
        self.final_norm = body.norm.weight.detach().float()
        self.layers = []
        for layer in body.layers:
            attn, mlp = layer.self_attn, layer.mlp
            self.layers.append(
                _Layer(
                    norm_attn=layer.input_layernorm.weight.detach().float(),
                    qkv=_fused([attn.q_proj, attn.k_proj, attn.v_proj], dtype),
                    out=_fused([attn.o_proj], dtype),
                    norm_mlp=layer.post_attention_layernorm.weight.detach().float(),
                    gate_up=_fused([mlp.gate_proj, mlp.up_proj], dtype),
                    down=_fused([mlp.down_proj], dtype),
                )
            )

    def _rms_norm(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """RMSNorm as transformers computes it (float32), cast to the compute dtype for the next matmul."""
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return (weight * x).to(self.dtype)

    def rotary_table(self, length: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """``cos``, ``sin`` ``[length, head_dim]`` (float32) from the model's own rotary module."""
        positions = torch.arange(length, device=device)[None]
        probe = torch.zeros((), dtype=torch.float32, device=device)
        cos, sin = self.base.model.rotary_emb(probe, positions)
        return cos[0].float(), sin[0].float()

    def start(
        self, ids: torch.Tensor, mask: torch.Tensor, fan: torch.Tensor, max_new: int
    ) -> tuple[LeanBatch, torch.Tensor]:
        """Prefill left-padded prompts once and fan them out to their rows.

        Args:
            ids: ``[U, W]`` distinct prompts, left-padded (every prompt ends at column ``W - 1``).
            mask: ``[U, W]`` 1 on prompt tokens, 0 on padding.
            fan: ``[B]`` the prompt of each row to decode.
            max_new: the most tokens any row will add.

        Returns:
            The batch, ready for :meth:`LeanBatch.step`, and the ``[B, V]`` logits of each row's first token.
        """
        if not self.layers:
            self.refresh()
        dev = ids.device
        width = ids.shape[1]
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        cos, sin = self.rotary_table(int(positions.max()) + max_new + 1, dev)
        prompt_cache = _Cache.empty(len(self.layers), ids.shape[0], self.kv_heads, width, self.head_dim, dev)
        keys = mask.bool()
        causal = torch.ones((width, width), dtype=torch.bool, device=dev).tril()
        eye = torch.eye(width, dtype=torch.bool, device=dev)
        # The attention scores of a prefill are [prompts, heads, W, W] float32: 64 prompts of 1,600 tokens
        # would take 5.9 GB (twice, with the softmax). Prompts are prefilled a few at a time under a budget.
        step = max(1, PREFILL_SCORE_BYTES // (self.heads * width * width * 4))
        last = []
        for lo in range(0, ids.shape[0], step):
            part = slice(lo, lo + step)
            # a padding query sees itself only (never an empty softmax); no real token sees padding
            attend = (causal[None] & keys[part, None, :]) | eye
            view = _Cache([k[part] for k in prompt_cache.keys], [v[part] for v in prompt_cache.values])
            pos = positions[part]
            last.append(self._forward(ids[part], cos[pos], sin[pos], view, 0, attend[:, None])[:, -1])
        hidden = torch.cat(last)
        batch = LeanBatch(
            self,
            _Cache.fanned_out(prompt_cache, fan, width + max_new),
            keys[fan],
            positions[fan, -1] + 1,
            width,
            (cos, sin),
        )
        return batch, self.logits(hidden)[fan]

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """The LM head on final-normed hidden states (compute dtype)."""
        return F.linear(hidden, self.head)

    def _forward(
        self,
        ids: torch.Tensor,
        cos: torch.Tensor,
        sin: torch.Tensor,
        cache: _Cache,
        column: int,
        attend: torch.Tensor,
    ) -> torch.Tensor:
        """Run ``ids [B, S]`` written at cache columns ``[column, column + S)``; final-normed hidden ``[B, S, D]``.

        ``attend [B, 1, S, column + S]`` says which cached keys each query sees; ``cos``/``sin``
        ``[B, S, head_dim]`` are the rotary angles of each token's position.
        """
        batch, length = ids.shape
        heads, kv_heads, dim = self.heads, self.kv_heads, self.head_dim
        group = heads // kv_heads
        x = self.embed[ids].float()
        cos, sin = cos[:, :, None], sin[:, :, None]
        end = column + length
        for index, layer in enumerate(self.layers):
            qkv = F.linear(self._rms_norm(x, layer.norm_attn), *layer.qkv).float()
            q, k, v = qkv.split([heads * dim, kv_heads * dim, kv_heads * dim], dim=-1)
            q = _rotate(q.view(batch, length, heads, dim), cos, sin)
            k = _rotate(k.view(batch, length, kv_heads, dim), cos, sin)
            cache.keys[index][:, :, column:end] = k.transpose(1, 2)
            cache.values[index][:, :, column:end] = v.view(batch, length, kv_heads, dim).transpose(1, 2)
            keys, values = cache.keys[index][:, :, :end], cache.values[index][:, :, :end]
            # query heads h = kv * group + j share key/value head kv (transformers' repeat_kv order)
            q = q.view(batch, length, kv_heads, group, dim).permute(0, 2, 3, 1, 4)
            q = q.reshape(batch, kv_heads, group * length, dim)
            scores = torch.matmul(q, keys.transpose(-1, -2)).mul_(self.scaling)
            scores = scores.view(batch, kv_heads, group, length, end)
            scores.masked_fill_(~attend[:, :, None], float("-inf"))
            probs = scores.softmax(-1).view(batch, kv_heads, group * length, end)
            attended = torch.matmul(probs, values).view(batch, kv_heads, group, length, dim)
            attended = attended.permute(0, 3, 1, 2, 4).reshape(batch, length, heads * dim)
            x = x + F.linear(attended.to(self.dtype), *layer.out).float()
            gate, up = F.linear(self._rms_norm(x, layer.norm_mlp), *layer.gate_up).chunk(2, dim=-1)
            x = x + F.linear(F.silu(gate) * up, *layer.down).float()
        return self._rms_norm(x, self.final_norm)


def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotary embedding (transformers' ``rotate_half`` convention)."""
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos + rotated * sin


@dataclass
class _Cache:
    """Float32 keys and values per layer, ``[B, kv_heads, columns, head_dim]``."""

    keys: list[torch.Tensor]
    values: list[torch.Tensor]

    @classmethod
    def empty(cls, layers: int, rows: int, heads: int, columns: int, dim: int, device: Any) -> _Cache:
        def make() -> list[torch.Tensor]:
            return [torch.empty((rows, heads, columns, dim), device=device) for _ in range(layers)]

        return cls(make(), make())

    @classmethod
    def fanned_out(cls, prompts: _Cache, fan: torch.Tensor, columns: int) -> _Cache:
        """A cache of ``columns`` columns for each row, its first ones holding its prompt's keys and values."""
        rows, (_, heads, width, dim) = fan.shape[0], prompts.keys[0].shape
        out = cls.empty(len(prompts.keys), rows, heads, columns, dim, fan.device)
        for target, source in zip(out.keys + out.values, prompts.keys + prompts.values, strict=True):
            target[:, :, :width] = source[fan]
        return out

    def select(self, rows: torch.Tensor) -> None:
        self.keys = [k[rows] for k in self.keys]
        self.values = [v[rows] for v in self.values]


class LeanBatch:
    """Rows being decoded together: their cache, which columns each may see, and their next position."""

    def __init__(
        self,
        decoder: LeanDecoder,
        cache: _Cache,
        keys: torch.Tensor,
        positions: torch.Tensor,
        column: int,
        rotary: tuple[torch.Tensor, torch.Tensor],
    ) -> None:
        self.decoder, self.cache, self.positions, self.column = decoder, cache, positions, column
        self.rotary = rotary
        columns = cache.keys[0].shape[2]
        self.keys = torch.zeros((keys.shape[0], columns), dtype=torch.bool, device=keys.device)
        self.keys[:, : keys.shape[1]] = keys

    def step(self, tokens: torch.Tensor) -> torch.Tensor:
        """Append one token per row; returns the ``[B, V]`` logits of the next."""
        self.keys[:, self.column] = True
        cos, sin = self.rotary
        hidden = self.decoder._forward(
            tokens[:, None],
            cos[self.positions][:, None],
            sin[self.positions][:, None],
            self.cache,
            self.column,
            self.keys[:, None, None, : self.column + 1],
        )
        self.column += 1
        self.positions = self.positions + 1
        return self.decoder.logits(hidden[:, -1])

    def select(self, rows: torch.Tensor) -> None:
        """Keep only ``rows`` (finished rows leave the batch)."""
        self.cache.select(rows)
        self.keys, self.positions = self.keys[rows], self.positions[rows]
