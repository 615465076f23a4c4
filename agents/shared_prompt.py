"""Attention for packed groups: one prompt, then its responses, each response blind to the others.

The trainer runs a group's shared prompt once with its responses packed behind it (see
:func:`agents.trainer.pack_rows`). A dense block mask over such a row makes every response query scan
the keys of every other response only to mask them out: with 8 responses of ~110 tokens behind a
60-token prompt, ~80% of the attention work is thrown away, and on CPU attention then costs as much as
every matmul of the model. Here each response attends to ``[prompt, itself]`` as a short row of its own
(one batched SDPA call for all responses of the micro-batch), the prompt attends causally to itself,
and the outputs are put back in place. The result equals running every ``prompt + response`` alone.

Used through :func:`shared_prompt_attention`, a context manager that switches the model's attention to
this function for one forward pass; generation and every other forward keep the model's own attention.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from transformers import AttentionInterface
from transformers.integrations.sdpa_attention import sdpa_attention_forward

ATTENTION_NAME = "guru_shared_prompt"


@dataclass(frozen=True)
class PackLayout:
    """Where the prompt and each response sit in the packed rows of one micro-batch.

    Attributes:
        prompt_width: the longest prompt (prompt columns are ``[0, prompt_width)``; a shorter prompt's
            extra columns hold response tokens, whose outputs are overwritten).
        response_row: ``[R]`` the packed row of each response.
        query_cols: ``[R, C]`` the columns of each response's tokens (padded with 0).
        key_cols: ``[R, P + C]`` the columns each response attends to: its prompt, then itself.
        mask: ``[R, 1, C, P + C]`` which of those keys each query may see (causal within the response).
        valid: ``[R, C]`` which query slots are real tokens.
    """

    prompt_width: int
    response_row: torch.Tensor
    query_cols: torch.Tensor
    key_cols: torch.Tensor
    mask: torch.Tensor
    valid: torch.Tensor

    @classmethod
    def build(cls, prompt_lengths: Sequence[int], spans: Sequence[Sequence[tuple[int, int]]]) -> PackLayout:
        """``prompt_lengths[b]`` and ``spans[b] = [(first column, length), ...]`` of each response of row b."""
        rows = [(b, p, start, length) for b, p in enumerate(prompt_lengths) for start, length in spans[b]]
        width_p = max(prompt_lengths)
        width_c = max(length for *_, length in rows)
        r = len(rows)
        response_row = torch.tensor([b for b, *_ in rows])
        query_cols = torch.zeros((r, width_c), dtype=torch.long)
        key_cols = torch.zeros((r, width_p + width_c), dtype=torch.long)
        mask = torch.zeros((r, width_c, width_p + width_c), dtype=torch.bool)
        valid = torch.zeros((r, width_c), dtype=torch.bool)
        t = torch.arange(width_c)
        for i, (_, p, start, length) in enumerate(rows):
            query_cols[i, :length] = t[:length] + start
            key_cols[i, :p] = torch.arange(p)
            key_cols[i, p : p + length] = t[:length] + start
            mask[i, :length, :p] = True
            mask[i, :length, p : p + length] = t[:length, None] >= t[None, :length]  # causal within itself
            mask[i, length:, 0] = True  # padding queries see one key (no empty softmax), output dropped
            valid[i, :length] = True
        return cls(width_p, response_row, query_cols, key_cols, mask[:, None], valid)

    def to(self, device: torch.device) -> PackLayout:
        return PackLayout(
            self.prompt_width,
            *(
                x.to(device)
                for x in (self.response_row, self.query_cols, self.key_cols, self.mask, self.valid)
            ),
        )


_active: PackLayout | None = None


def _attention(
    module: torch.nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    dropout: float = 0.0,
    scaling: float | None = None,
    **kwargs: Any,
) -> tuple[torch.Tensor, None]:
    """``query [B, H, W, D]``, ``key``/``value [B, Hkv, W, D]`` -> ``[B, W, H, D]`` (transformers' convention)."""
    layout = _active
    if layout is None:  # not inside shared_prompt_attention: behave exactly like SDPA
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout, scaling, **kwargs)
    p = layout.prompt_width
    prompt_out, _ = sdpa_attention_forward(
        module, query[:, :, :p], key[:, :, :p], value[:, :, :p], None, dropout, scaling, is_causal=True
    )
    rows = layout.response_row[:, None]
    # advanced indices around a slice put the indexed dims first: [R, C, H, D] -> [R, H, C, D]
    q = query[rows, :, layout.query_cols].transpose(1, 2)
    k = key[rows, :, layout.key_cols].transpose(1, 2)
    v = value[rows, :, layout.key_cols].transpose(1, 2)
    # keys and values stay at their own head count (a masked call through transformers would repeat them)
    response_out = torch.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=layout.mask, dropout_p=dropout, scale=scaling, enable_gqa=q.shape[1] != k.shape[1]
    ).transpose(1, 2)
    batch, heads, width, dim = query.shape
    out = torch.cat([prompt_out, prompt_out.new_zeros(batch, width - p, heads, dim)], dim=1)
    where = (rows.expand_as(layout.query_cols)[layout.valid], layout.query_cols[layout.valid])
    return out.index_put(where, response_out[layout.valid]), None


AttentionInterface.register(ATTENTION_NAME, _attention)


@contextlib.contextmanager
def shared_prompt_attention(model: Any, layout: PackLayout) -> Iterator[None]:
    """Run the forward passes inside the block with ``layout``'s attention (not thread-safe; one at a time)."""
    global _active
    config = model.config
    previous = config._attn_implementation
    _active, config._attn_implementation = layout, ATTENTION_NAME
    try:
        yield
    finally:
        _active, config._attn_implementation = None, previous
