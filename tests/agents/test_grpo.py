"""The GRPO pieces against values worked out by hand (see each test's comment for the arithmetic)."""

import math

import pytest
import torch

from agents.grpo import (
    LossSettings,
    clipped_policy_loss,
    group_advantages,
    grpo_loss,
    kl_k3,
    reduce_loss,
    token_logprobs,
    zero_variance_groups,
)


# --- advantages ---------------------------------------------------------------------------------------
def test_grpo_advantages_one_right_of_four():
    # mean 0.25; unbiased std = sqrt((0.75^2 + 3 * 0.25^2) / 3) = sqrt(0.25) = 0.5
    adv = group_advantages(torch.tensor([1.0, 0.0, 0.0, 0.0]), 4, eps=0.0)
    assert adv.tolist() == pytest.approx([1.5, -0.5, -0.5, -0.5])


def test_dr_grpo_advantages_only_centre():
    adv = group_advantages(torch.tensor([1.0, 0.0, 0.0, 0.0, 0.5, 0.5, 1.0, 0.0]), 4, scale="none")
    assert adv.tolist() == pytest.approx([0.75, -0.25, -0.25, -0.25, 0.0, 0.0, 0.5, -0.5])


def test_pair_group_and_constant_group():
    # [1, 0]: mean 0.5, std = sqrt(0.5) -> +-0.5 / 0.70711 = +-0.70711; a constant group gives exact zeros
    adv = group_advantages(torch.tensor([1.0, 0.0, 1.0, 1.0]), 2, eps=1e-12)
    assert adv.tolist() == pytest.approx([math.sqrt(0.5), -math.sqrt(0.5), 0.0, 0.0], abs=1e-6)
    assert not torch.isnan(adv).any()


def test_groups_are_independent():
    # [3, 1]: mean 2, std sqrt(2) -> +-1/sqrt(2); [0, 0] stays 0 whatever the other group holds
    adv = group_advantages(torch.tensor([3.0, 1.0, 0.0, 0.0]), 2)
    assert adv.tolist() == pytest.approx([math.sqrt(0.5), -math.sqrt(0.5), 0.0, 0.0], abs=1e-5)


@pytest.mark.parametrize(
    "rewards, size, message",
    [
        (torch.tensor([1.0, 0.0, 1.0]), 2, "multiple of 2"),
        (torch.tensor([1.0, 0.0]), 1, "group_size must be >= 2"),
        (torch.zeros(2, 2), 2, "1-D"),
    ],
)
def test_advantages_reject_bad_shapes(rewards, size, message):
    with pytest.raises(ValueError, match=message):
        group_advantages(rewards, size)


def test_zero_variance_groups():
    mask = zero_variance_groups(torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.3, 0.3]), 2)
    assert mask.tolist() == [True, False, True, True]


# --- log-probs and entropy -----------------------------------------------------------------------------
def test_token_logprobs_and_entropy():
    # logits [0, ln 3] -> p = [1/4, 3/4]; H = -(0.25 ln 0.25 + 0.75 ln 0.75) = 0.562335
    logits = torch.tensor([[[0.0, math.log(3.0)], [0.0, math.log(3.0)]]])
    logp, ent = token_logprobs(logits, torch.tensor([[1, 0]]), with_entropy=True)
    assert logp.tolist()[0] == pytest.approx([math.log(0.75), math.log(0.25)])
    assert ent.tolist()[0] == pytest.approx([0.562335, 0.562335], abs=1e-6)
    assert not ent.requires_grad


def test_token_logprobs_temperature():
    # T = 2 on logits [0, ln 4] -> [0, ln 2] -> p = [1/3, 2/3]
    logp, _ = token_logprobs(torch.tensor([[0.0, math.log(4.0)]]), torch.tensor([1]), temperature=2.0)
    assert logp.item() == pytest.approx(math.log(2 / 3))


@pytest.mark.parametrize("temperature", [1.0, 0.7])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_chunked_token_logprobs_match_autograd(temperature, dtype, monkeypatch):
    """The fused, chunked log-prob (used in training) has the same values and gradients as plain autograd."""
    from agents import grpo

    # chunks of 7 rows of 50 float32 logits: 30 rows make four full chunks and one partial
    monkeypatch.setattr(grpo._SampledLogProb, "CHUNK_BYTES", {"default": 7 * 4 * 50})
    gen = torch.Generator().manual_seed(0)
    base = (torch.randn(3, 10, 50, generator=gen) * 3).to(dtype)
    tokens = torch.randint(0, 50, (3, 10), generator=gen)
    weights = torch.randn(3, 10, generator=gen)

    fused_in = base.clone().requires_grad_(True)
    logp, ent = token_logprobs(fused_in, tokens, temperature=temperature, with_entropy=True)
    (logp * weights).sum().backward()

    plain_in = base.clone().requires_grad_(True)
    ref_logp, ref_ent = grpo._token_logprobs_autograd(plain_in, tokens, temperature, True)
    (ref_logp * weights).sum().backward()

    assert logp.dtype == torch.float32 and logp.shape == (3, 10)
    torch.testing.assert_close(logp, ref_logp, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(ent, ref_ent.detach(), rtol=1e-5, atol=1e-5)
    assert fused_in.grad.dtype == dtype
    tol = 1e-5 if dtype == torch.float32 else 1e-2
    torch.testing.assert_close(fused_in.grad.float(), plain_in.grad.float(), rtol=tol, atol=tol)


@pytest.mark.parametrize("temperature", [1.0, 0.7])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_chunked_entropy_gradient_matches_autograd(temperature, dtype, monkeypatch):
    """An entropy bonus runs through the same chunked function: its gradient equals plain autograd's."""
    from agents import grpo

    monkeypatch.setattr(grpo._SampledLogProb, "CHUNK_BYTES", {"default": 7 * 4 * 50})
    gen = torch.Generator().manual_seed(1)
    base = (torch.randn(3, 10, 50, generator=gen) * 3).to(dtype)
    tokens = torch.randint(0, 50, (3, 10), generator=gen)
    w_logp, w_ent = torch.randn(3, 10, generator=gen), torch.randn(3, 10, generator=gen)

    fused_in = base.clone().requires_grad_(True)
    logp, ent = token_logprobs(fused_in, tokens, temperature=temperature, entropy_grad=True)
    assert ent.requires_grad
    ((logp * w_logp).sum() + (ent * w_ent).sum()).backward()

    plain_in = base.clone().requires_grad_(True)
    ref_logp, ref_ent = grpo._token_logprobs_autograd(plain_in, tokens, temperature, True)
    ((ref_logp * w_logp).sum() + (ref_ent * w_ent).sum()).backward()

    tol = 1e-5 if dtype == torch.float32 else 1e-2
    torch.testing.assert_close(fused_in.grad.float(), plain_in.grad.float(), rtol=tol, atol=tol)

    only_entropy = base.clone().requires_grad_(True)  # no gradient through the log-probs at all
    _, ent = token_logprobs(only_entropy, tokens, temperature=temperature, entropy_grad=True)
    (ent * w_ent).sum().backward()
    plain_in.grad = None
    _, ref_ent = grpo._token_logprobs_autograd(plain_in, tokens, temperature, True)
    (ref_ent * w_ent).sum().backward()
    torch.testing.assert_close(only_entropy.grad.float(), plain_in.grad.float(), rtol=tol, atol=tol)


# --- clipped surrogate ---------------------------------------------------------------------------------
def test_clip_higher_cases():
    # old_logp = 0, so ratio = exp(logp); clip_low 0.2, clip_high 0.28
    logp = torch.log(torch.tensor([[1.5, 0.5, 0.5, 1.5, 1.1]]))
    adv = torch.tensor([[1.0, 1.0, -1.0, -1.0, 1.0]])
    loss, clipped, ratio = clipped_policy_loss(logp, torch.zeros_like(logp), adv, 0.2, 0.28)
    # A>0, r=1.5: max(-1.5, -1.28) = -1.28 (clipped high); A>0, r=0.5: max(-0.5, -0.8) = -0.5
    # A<0, r=0.5: max(0.5, 0.8) = 0.8 (clipped low);      A<0, r=1.5: max(1.5, 1.28) = 1.5; r=1.1 inside
    assert loss.tolist()[0] == pytest.approx([-1.28, -0.5, 0.8, 1.5, -1.1])
    assert clipped.tolist()[0] == [True, False, True, False, False]
    assert ratio.tolist()[0] == pytest.approx([1.5, 0.5, 0.5, 1.5, 1.1])


def test_clipped_tokens_get_no_gradient():
    logp = torch.log(torch.tensor([[1.5, 0.5]])).requires_grad_()
    loss, _, _ = clipped_policy_loss(logp, torch.zeros(1, 2), torch.tensor([1.0]), 0.2, 0.28)
    loss.sum().backward()
    # d(-A r)/d logp = -A r: 0 where clipped, -0.5 for the unclipped r = 0.5 token
    assert logp.grad.tolist()[0] == pytest.approx([0.0, -0.5])


def test_symmetric_clip_matches_ppo():
    logp = torch.log(torch.tensor([[1.25]]))
    loss, clipped, _ = clipped_policy_loss(logp, torch.zeros(1, 1), torch.tensor([2.0]), 0.2, 0.2)
    assert loss.item() == pytest.approx(-2.4) and clipped.item()


# --- KL ------------------------------------------------------------------------------------------------
def test_kl_k3_values():
    # p = 0.5, ref = 0.25: exp(ln .5) - ln .5 - 1 = 0.5 + 0.693147 - 1 = 0.193147; equal -> 0
    kl = kl_k3(torch.log(torch.tensor([0.5, 0.3])), torch.log(torch.tensor([0.25, 0.3])))
    assert kl.tolist() == pytest.approx([0.193147, 0.0], abs=1e-6)


def test_kl_k3_is_capped():
    # ref 20 nats likelier: exp(20) - 20 - 1 is huge; the per-token penalty stops at 10
    assert kl_k3(torch.tensor([-25.0]), torch.tensor([-5.0])).item() == 10.0


def test_kl_k3_is_nonnegative_and_unbiased():
    gen = torch.Generator().manual_seed(0)
    p = torch.softmax(torch.randn(6, generator=gen), 0)
    q = torch.softmax(torch.randn(6, generator=gen), 0)
    samples = torch.multinomial(p, 200_000, replacement=True, generator=gen)
    k3 = kl_k3(p.log()[samples], q.log()[samples])
    assert (k3 >= 0).all()
    assert k3.mean().item() == pytest.approx((p * (p.log() - q.log())).sum().item(), rel=0.03)


# --- reductions ----------------------------------------------------------------------------------------
VALUES = torch.tensor([[1.0, 2.0, 3.0], [4.0, 9.0, 9.0]])
MASK = torch.tensor([[1, 1, 1], [1, 0, 0]])


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("token-mean", (1 + 2 + 3 + 4) / 4),  # 2.5
        ("seq-mean", ((1 + 2 + 3) / 3 + 4 / 1) / 2),  # 3.0
        ("dr-grpo", (1 + 2 + 3 + 4) / (2 * 5)),  # 1.0 with a budget of 5 tokens
    ],
)
def test_reductions(mode, expected):
    assert reduce_loss(VALUES, MASK, mode, max_tokens=5).item() == pytest.approx(expected)


@pytest.mark.parametrize("mode", ["token-mean", "seq-mean", "dr-grpo"])
def test_micro_batches_sum_to_full_batch(mode):
    full = reduce_loss(VALUES, MASK, mode, max_tokens=5)
    parts = sum(
        reduce_loss(VALUES[i : i + 1], MASK[i : i + 1], mode, max_tokens=5, total_tokens=4, total_seqs=2)
        for i in range(2)
    )
    assert parts.item() == pytest.approx(full.item())


def test_bad_reduction_and_missing_budget():
    with pytest.raises(ValueError, match="loss reduction must be one of"):
        reduce_loss(VALUES, MASK, "mean")
    with pytest.raises(ValueError, match="max_tokens"):
        reduce_loss(VALUES, MASK, "dr-grpo")


# --- the combined objective ----------------------------------------------------------------------------
def test_on_policy_gradient_is_the_policy_gradient():
    # with old = logp, ratio = 1 and nothing clips: d loss / d logp_t = -A_i / total_tokens
    logp = torch.tensor([[-1.0, -2.0, -0.5], [-0.3, -0.7, -9.0]], requires_grad=True)
    adv = torch.tensor([2.0, -1.0])
    loss, metrics = grpo_loss(logp, logp.detach(), adv, MASK, LossSettings())
    loss.backward()
    assert loss.item() == pytest.approx(-(3 * 2.0 - 1.0) / 4)
    assert logp.grad.flatten().tolist() == pytest.approx([-0.5, -0.5, -0.5, 0.25, 0.0, 0.0])
    assert metrics["clip_frac_sum"].item() == 0 and metrics["tokens"].item() == 4


def test_kl_term_and_metrics():
    logp = torch.log(torch.tensor([[0.5, 0.5]])).requires_grad_()
    ref = torch.log(torch.tensor([[0.25, 0.5]]))
    settings = LossSettings(kl_coef=0.1)
    loss, metrics = grpo_loss(
        logp, logp.detach(), torch.tensor([0.0]), torch.ones(1, 2), settings, ref_logp=ref
    )
    # pg = 0 (A = 0); kl token-mean = (0.193147 + 0) / 2
    assert loss.item() == pytest.approx(0.1 * 0.193147 / 2, abs=1e-6)
    assert metrics["kl_sum"].item() == pytest.approx(0.193147, abs=1e-6)
    with pytest.raises(ValueError, match="ref_logp"):
        grpo_loss(logp, logp.detach(), torch.tensor([0.0]), torch.ones(1, 2), settings)


def test_entropy_bonus_lowers_loss():
    logits = torch.zeros(1, 2, 4, requires_grad=True)
    logp, ent = token_logprobs(logits, torch.tensor([[0, 1]]), with_entropy=True, entropy_grad=True)
    loss, metrics = grpo_loss(
        logp,
        logp.detach(),
        torch.tensor([0.0]),
        torch.ones(1, 2),
        LossSettings(entropy_coef=0.5),
        entropy=ent,
    )
    # uniform over 4: H = ln 4 on both tokens -> loss = -0.5 * ln 4
    assert loss.item() == pytest.approx(-0.5 * math.log(4))
    assert metrics["entropy_sum"].item() == pytest.approx(2 * math.log(4))
    loss.backward()
    assert logits.grad is not None
