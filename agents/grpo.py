"""GRPO, the algorithm: every formula the trainer uses, read top to bottom in one file.

GRPO (Shao et al., 2024) drops PPO's value network: each prompt is answered ``G`` times, and a response's
advantage is its reward measured against its own group. This file holds the pieces and nothing else;
:mod:`agents.trainer` does the plumbing (rollouts, batching, optimiser, checkpoints).

Pieces, in the order a step uses them:

1. :func:`group_advantages`: ``(r - mean_g) / (std_g + eps)`` per group (``scale="std"``, GRPO), or
   ``r - mean_g`` (``scale="none"``, Dr.GRPO, which argues the std division favours easy/hard groups).
   The std is the unbiased one (``n - 1``), as in verl, SkyRL and TRL.
2. :func:`zero_variance_groups`: groups whose rewards are all equal carry no signal (every advantage is 0);
   DAPO drops them so they do not dilute the token-mean.
3. :func:`token_logprobs`: log-probabilities of the sampled tokens (and the policy entropy) from logits,
   divided by the sampling temperature so they describe the distribution the engine sampled from.
4. :func:`clipped_policy_loss`: PPO's clipped surrogate with separate lower and upper clip ranges
   (DAPO's clip-higher: ``eps_high > eps_low`` lets unlikely good tokens grow faster).
5. :func:`kl_k3`: Schulman's k3 estimator of KL(policy || reference), unbiased and always >= 0.
6. :func:`reduce_loss`: token-mean (DAPO, GURU), sequence-mean (original GRPO) or Dr.GRPO's
   sum over tokens divided by a constant budget. Denominators can be given for the whole batch, so that
   gradient accumulation over micro-batches adds up to exactly the full-batch loss.
7. :func:`grpo_loss`: the above combined into the per-micro-batch objective with its metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

AdvantageScale = Literal["std", "none"]
LossReduction = Literal["token-mean", "seq-mean", "dr-grpo"]
LOSS_REDUCTIONS: tuple[str, ...] = ("token-mean", "seq-mean", "dr-grpo")
ADVANTAGE_SCALES: tuple[str, ...] = ("std", "none")

# exp() of a log-ratio beyond this is numerically meaningless and only risks inf * 0 = nan
MAX_LOG_RATIO = 20.0


# ---------------------------------------------------------------------------------------------------------
# 1-2. Advantages and group filtering
# ---------------------------------------------------------------------------------------------------------
def group_advantages(
    rewards: torch.Tensor, group_size: int, scale: AdvantageScale = "std", eps: float = 1e-6
) -> torch.Tensor:
    """One advantage per response from its group's rewards.

    Args:
        rewards: shape ``[num_groups * group_size]``, the responses of a group adjacent.
        group_size: responses per prompt (``G``); must be >= 2 for a baseline to exist.
        scale: ``"std"`` divides by the group's (unbiased) std (GRPO); ``"none"`` only centres (Dr.GRPO).
        eps: added to the std so an all-equal group gives 0, not nan.

    Returns:
        Advantages with the shape of ``rewards`` (float32).
    """
    if group_size < 2:
        raise ValueError(f"group_size must be >= 2 (a group needs a baseline), got {group_size}")
    if rewards.ndim != 1 or rewards.numel() % group_size:
        raise ValueError(
            f"rewards must be 1-D with a multiple of {group_size} entries, got shape {tuple(rewards.shape)}"
        )
    if scale not in ADVANTAGE_SCALES:
        raise ValueError(f"scale must be one of {ADVANTAGE_SCALES}, got {scale!r}")
    groups = rewards.float().view(-1, group_size)
    centred = groups - groups.mean(dim=1, keepdim=True)
    if scale == "std":
        centred = centred / (groups.std(dim=1, keepdim=True) + eps)
    return centred.reshape(-1)


def zero_variance_groups(rewards: torch.Tensor, group_size: int, atol: float = 1e-8) -> torch.Tensor:
    """Boolean mask ``[num_groups]``: True where every response of the group earned the same reward."""
    groups = rewards.float().view(-1, group_size)
    return (groups.max(dim=1).values - groups.min(dim=1).values) <= atol


# ---------------------------------------------------------------------------------------------------------
# 3. Log-probabilities and entropy of sampled tokens
# ---------------------------------------------------------------------------------------------------------
def token_logprobs(
    logits: torch.Tensor,
    tokens: torch.Tensor,
    temperature: float = 1.0,
    with_entropy: bool = False,
    entropy_grad: bool = False,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Log-probability of each sampled token, and optionally the entropy of each next-token distribution.

    Works on any leading shape: ``logits [..., V]`` and ``tokens [...]``. Computed in float32 (bf16
    log-softmax over a 49k vocabulary loses the small probabilities that matter for ratios). The entropy
    carries a gradient only with ``entropy_grad`` (an entropy bonus); as a metric it costs nothing in the
    backward pass.

    Runs :class:`_SampledLogProb`: the vocabulary-wide float32 work is done a chunk of rows at a time in
    forward and backward, and only the (bf16) logits are kept for backward.
    """
    shape = tokens.shape
    flat_logits = logits.reshape(-1, logits.shape[-1])
    want_entropy = with_entropy or entropy_grad
    logp, entropy = _SampledLogProb.apply(
        flat_logits, tokens.reshape(-1), float(temperature), want_entropy, entropy_grad
    )
    return logp.reshape(shape), (entropy.reshape(shape) if want_entropy else None)


def _token_logprobs_autograd(
    logits: torch.Tensor, tokens: torch.Tensor, temperature: float, with_entropy: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Plain autograd version: the reference the tests hold :class:`_SampledLogProb` to."""
    logits = logits.float()
    if temperature != 1.0:
        logits = logits / temperature
    log_norm = torch.logsumexp(logits, dim=-1)
    logp = logits.gather(-1, tokens.unsqueeze(-1)).squeeze(-1) - log_norm
    entropy = None
    if with_entropy:
        probs = torch.softmax(logits, dim=-1)
        entropy = log_norm - (probs * logits).sum(dim=-1)
    return logp, entropy


class _SampledLogProb(torch.autograd.Function):
    """``log softmax(logits / T)[token]`` per row, and the entropy, with gradients, in float32 row chunks.

    Autograd on the plain expression keeps several float32 ``[rows, V]`` tensors alive and walks them a
    dozen times (cast, scale, logsumexp, gather and their backwards); on CPU that memory traffic costs
    more than the LM head's matmul. Here forward keeps only the logits, the log-normaliser and the
    entropy, and backward rebuilds ``log p = z - log S`` chunk by chunk, with ``z = logits / T``:

    - ``d logp / d z = onehot(token) - p``;
    - ``d H / d z = -p * (log p + H)`` (only when the entropy is a loss term, ``entropy_grad``).
    """

    # float32 bytes of one chunk: small enough to stay in a CPU core's cache between passes (5x faster than
    # whole-tensor passes on CPU); on a GPU, large enough to keep kernels busy
    CHUNK_BYTES = {"cpu": 8 << 20, "default": 256 << 20}

    @staticmethod
    def chunks(logits: torch.Tensor, temperature: float):
        """``(lo, hi, z)`` per chunk of rows, ``z`` a float32 copy of ``logits[lo:hi] / T`` (free to change)."""
        budget = _SampledLogProb.CHUNK_BYTES.get(logits.device.type, _SampledLogProb.CHUNK_BYTES["default"])
        step = max(1, budget // (4 * logits.shape[-1]))
        for lo in range(0, logits.shape[0], step):
            hi = min(logits.shape[0], lo + step)
            z = logits[lo:hi].to(torch.float32, copy=True)
            if temperature != 1.0:
                z.div_(temperature)
            yield lo, hi, z

    @staticmethod
    def forward(ctx, logits, tokens, temperature, with_entropy, entropy_grad=False):  # type: ignore[override]
        logp = torch.empty(logits.shape[0], dtype=torch.float32, device=logits.device)
        log_norm = torch.empty_like(logp)
        entropy = torch.empty_like(logp) if with_entropy else torch.empty(0, device=logits.device)
        for lo, hi, z in _SampledLogProb.chunks(logits, temperature):
            top = z.amax(dim=-1, keepdim=True)
            z.sub_(top)  # z - max: exp cannot overflow
            picked = z.gather(-1, tokens[lo:hi, None]).squeeze(-1)
            e = z.exp()
            total = e.sum(dim=-1)
            log_total = total.log()
            log_norm[lo:hi] = top.squeeze(-1) + log_total
            logp[lo:hi] = picked - log_total
            if with_entropy:  # H = log S - sum(e * z) / S, with S = sum(e)
                entropy[lo:hi] = log_total - torch.linalg.vecdot(e, z) / total
        ctx.save_for_backward(logits, tokens, log_norm, entropy)
        ctx.temperature = temperature
        ctx.entropy_grad = bool(entropy_grad and with_entropy)
        if not ctx.entropy_grad:
            ctx.mark_non_differentiable(entropy)
        ctx.set_materialize_grads(False)
        return logp, entropy

    @staticmethod
    def backward(ctx, grad_logp, grad_entropy):  # type: ignore[override]
        logits, tokens, log_norm, entropy = ctx.saved_tensors
        temperature = ctx.temperature
        use_entropy = ctx.entropy_grad and grad_entropy is not None
        if grad_logp is None and not use_entropy:
            return None, None, None, None, None
        grad = torch.empty_like(logits)
        for lo, hi, z in _SampledLogProb.chunks(logits, temperature):
            z.sub_(log_norm[lo:hi, None])  # log p
            g = (
                grad_logp[lo:hi, None] / temperature
                if grad_logp is not None
                else torch.zeros((hi - lo, 1), device=z.device)
            )
            if use_entropy:
                h = grad_entropy[lo:hi, None] / temperature
                p = z.exp()
                z.add_(entropy[lo:hi, None]).mul_(h).add_(g).mul_(p).neg_()  # -p * (g + h (log p + H))
            else:
                z.exp_().mul_(-g)  # -g * p
            z.scatter_add_(-1, tokens[lo:hi, None], g)
            grad[lo:hi] = z
        return grad, None, None, None, None


# ---------------------------------------------------------------------------------------------------------
# 4-5. Per-token policy loss and KL
# ---------------------------------------------------------------------------------------------------------
def clipped_policy_loss(
    logp: torch.Tensor, old_logp: torch.Tensor, advantages: torch.Tensor, clip_low: float, clip_high: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """PPO's clipped surrogate per token, with asymmetric clipping.

    ``loss = max(-A * r, -A * clip(r, 1 - clip_low, 1 + clip_high))`` with ``r = exp(logp - old_logp)``.

    Args:
        logp: ``[B, T]`` log-probs under the policy being updated (with grad).
        old_logp: ``[B, T]`` log-probs under the policy that sampled (no grad).
        advantages: ``[B]`` (one per sequence) or ``[B, T]``.
        clip_low: lower clip range (the ratio may not fall below ``1 - clip_low`` for A < 0).
        clip_high: upper clip range (DAPO: larger than ``clip_low``, e.g. 0.28 vs 0.2).

    Returns:
        ``(loss [B, T], clipped [B, T] bool: where the clipped branch is the active one, ratio [B, T])``.
    """
    if advantages.ndim == logp.ndim - 1:
        advantages = advantages.unsqueeze(-1)
    log_ratio = (logp - old_logp).clamp(-MAX_LOG_RATIO, MAX_LOG_RATIO)
    ratio = torch.exp(log_ratio)
    unclipped = -advantages * ratio
    clipped = -advantages * ratio.clamp(1.0 - clip_low, 1.0 + clip_high)
    loss = torch.maximum(unclipped, clipped)
    return loss, clipped > unclipped, ratio


def kl_k3(logp: torch.Tensor, ref_logp: torch.Tensor, max_value: float = 10.0) -> torch.Tensor:
    """Per-token k3 estimate of KL(policy || ref): ``exp(ref - logp) - (ref - logp) - 1`` (>= 0).

    Capped at ``max_value`` per token, as verl and SkyRL do: one token the reference finds far likelier
    would otherwise dominate the penalty (and its gradient) of the whole batch.
    """
    delta = (ref_logp - logp).clamp(-MAX_LOG_RATIO, MAX_LOG_RATIO)
    return (torch.exp(delta) - delta - 1.0).clamp(max=max_value)


# ---------------------------------------------------------------------------------------------------------
# 6. Loss reductions
# ---------------------------------------------------------------------------------------------------------
def reduce_loss(
    values: torch.Tensor,
    mask: torch.Tensor,
    mode: LossReduction,
    *,
    max_tokens: int | None = None,
    total_tokens: float | None = None,
    total_seqs: float | None = None,
) -> torch.Tensor:
    """Reduce a per-token quantity ``[B, T]`` over the response tokens (``mask``) to a scalar.

    - ``token-mean``: ``sum(v * m) / total_tokens``: every token weighs the same (DAPO; GURU's setting).
    - ``seq-mean``: the mean over sequences of each sequence's token mean ``/ total_seqs`` (GRPO paper):
      long responses weigh the same as short ones in total, so each of their tokens weighs less.
    - ``dr-grpo``: ``sum(v * m) / (total_seqs * max_tokens)``: a constant denominator, so length does not
      rescale a sequence's gradient (Dr.GRPO).

    ``total_tokens`` / ``total_seqs`` default to this batch's own counts; pass the counts of the whole
    (mini-)batch when accumulating gradients over micro-batches, so the micro-batch losses sum to the
    full-batch loss exactly.
    """
    mask = mask.to(values.dtype)
    if mode == "token-mean":
        denom = mask.sum() if total_tokens is None else torch.as_tensor(total_tokens, dtype=values.dtype)
        return (values * mask).sum() / denom.clamp(min=1.0)
    seqs = float(values.shape[0]) if total_seqs is None else float(total_seqs)
    if mode == "seq-mean":
        per_seq = (values * mask).sum(dim=-1) / mask.sum(dim=-1).clamp(min=1.0)
        return per_seq.sum() / max(seqs, 1.0)
    if mode == "dr-grpo":
        if not max_tokens or max_tokens < 1:
            raise ValueError("dr-grpo needs max_tokens, the constant generation budget it divides by")
        return (values * mask).sum() / (max(seqs, 1.0) * max_tokens)
    raise ValueError(f"loss reduction must be one of {LOSS_REDUCTIONS}, got {mode!r}")


# ---------------------------------------------------------------------------------------------------------
# 7. The objective
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LossSettings:
    """The knobs of :func:`grpo_loss` (a view of :class:`agents.config.AlgoConfig`)."""

    clip_low: float = 0.2
    clip_high: float = 0.28
    reduction: LossReduction = "token-mean"
    kl_coef: float = 0.0
    entropy_coef: float = 0.0
    max_tokens: int | None = None


def grpo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    settings: LossSettings,
    *,
    ref_logp: torch.Tensor | None = None,
    entropy: torch.Tensor | None = None,
    total_tokens: float | None = None,
    total_seqs: float | None = None,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The GRPO loss of one micro-batch and its (detached) metrics.

    ``loss = reduce(pg) + kl_coef * reduce(k3) - entropy_coef * reduce(entropy)``, every term reduced the
    same way. Metric sums (not means) are returned with the token count so that the trainer can average
    them over micro-batches exactly.

    Args:
        logp: ``[B, T]`` token log-probs under the policy being updated.
        old_logp: ``[B, T]`` token log-probs at sampling time.
        advantages: ``[B]`` sequence advantages.
        mask: ``[B, T]`` 1 on response tokens, 0 on padding.
        settings: clip ranges, reduction, coefficients.
        ref_logp: ``[B, T]`` reference-model log-probs (needed when ``kl_coef > 0``).
        entropy: ``[B, T]`` entropies; must carry grad when ``entropy_coef > 0``.
        total_tokens: response tokens of the whole batch (see :func:`reduce_loss`).
        total_seqs: sequences of the whole batch.
    """
    reduce = dict(
        mode=settings.reduction,
        max_tokens=settings.max_tokens,
        total_tokens=total_tokens,
        total_seqs=total_seqs,
    )
    pg, clipped, ratio = clipped_policy_loss(
        logp, old_logp, advantages, settings.clip_low, settings.clip_high
    )
    loss = reduce_loss(pg, mask, **reduce)
    maskf = mask.float()
    metrics: dict[str, torch.Tensor] = {
        "tokens": maskf.sum(),
        "pg_loss": loss.detach(),
        "clip_frac_sum": (clipped.float() * maskf).sum(),
        "clip_low_sum": ((ratio < 1.0 - settings.clip_low) & clipped).float().mul(maskf).sum(),
        "clip_high_sum": ((ratio > 1.0 + settings.clip_high) & clipped).float().mul(maskf).sum(),
        "ratio_sum": (ratio.detach() * maskf).sum(),
    }
    if settings.kl_coef > 0:
        if ref_logp is None:
            raise ValueError("kl_coef > 0 needs ref_logp from the reference model")
        kl = kl_k3(logp, ref_logp)
        loss = loss + settings.kl_coef * reduce_loss(kl, mask, **reduce)
        metrics["kl_sum"] = (kl.detach() * maskf).sum()
    elif ref_logp is not None:
        metrics["kl_sum"] = (kl_k3(logp.detach(), ref_logp) * maskf).sum()
    if entropy is not None:
        if settings.entropy_coef > 0:
            loss = loss - settings.entropy_coef * reduce_loss(entropy, mask, **reduce)
        metrics["entropy_sum"] = (entropy.detach() * maskf).sum()
    return loss, metrics
