"""The lean decode loop: the model's own arithmetic (tokens, log-probs), current weights, honest fallback."""

from __future__ import annotations

import pytest
import torch

from guru_envs.rollout import SamplingParams
from guru_envs.rollout.hf_engine import HFEngine, inverse_cdf
from guru_envs.rollout.lean_decoder import unsupported_reason

PROMPTS = [
    "What is 2+3?",
    [{"role": "system", "content": "Answer with a number."}, {"role": "user", "content": "What is 12*3?"}],
    "Write a haiku about the sea, please, in English.",  # longer: the others are left-padded
]


@pytest.fixture(scope="module")
def tokenizer(smollm2_path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(smollm2_path))


def tiny(kind: str, tokenizer) -> torch.nn.Module:
    """A random 2-layer model with grouped-query attention (Qwen2: q/k/v biases; GPT-2: unsupported)."""
    import transformers

    common = dict(
        vocab_size=len(tokenizer), eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id
    )
    llama_like = dict(
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        **common,
    )
    configs = {
        "llama": lambda: transformers.LlamaConfig(tie_word_embeddings=True, **llama_like),
        "qwen2": lambda: transformers.Qwen2Config(tie_word_embeddings=False, **llama_like),
        "gpt2": lambda: transformers.GPT2Config(n_embd=64, n_layer=2, n_head=4, n_positions=512, **common),
    }
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_config(configs[kind]())
    with torch.no_grad():  # random biases too (Qwen2 initialises them to zero), so they are exercised
        for name, param in model.named_parameters():
            if name.endswith("bias"):
                param.normal_(0, 0.5)
    return model.eval()


def _ids(groups):
    return [[c.token_ids for c in g.completions] for g in groups]


def teacher_forced(model, prompt_ids, completion_ids, autocast_dtype=None):
    ids = torch.tensor([prompt_ids + completion_ids])
    with (
        torch.inference_mode(),
        torch.autocast("cpu", dtype=autocast_dtype or torch.bfloat16, enabled=autocast_dtype is not None),
    ):
        logits = model(input_ids=ids).logits[0].float()
    logp = logits.log_softmax(-1)
    start = len(prompt_ids) - 1
    return [float(logp[start + k, t]) for k, t in enumerate(completion_ids)]


@pytest.mark.parametrize("kind", ["llama", "qwen2"])
def test_lean_matches_the_models_own_forward(kind, tokenizer):
    model = tiny(kind, tokenizer)
    assert unsupported_reason(model) is None
    lean = HFEngine(model, tokenizer)
    plain = HFEngine(model, tokenizer, lean=False)
    greedy = SamplingParams(temperature=0, max_tokens=12)
    assert _ids(lean.generate(PROMPTS, greedy)) == _ids(plain.generate(PROMPTS, greedy))
    for g in lean.generate(PROMPTS, greedy):  # and greedy is what transformers' generate picks
        ids = torch.tensor([g.prompt_token_ids])
        ref = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=12, do_sample=False)
        assert g.completions[0].token_ids == ref[0, ids.shape[1] :].tolist()[: g.completions[0].num_tokens]
    params = SamplingParams(n=3, temperature=0.8, top_p=0.9, max_tokens=12, seed=4, logprobs=True)
    # (a random model's near-uniform distributions make sampled tokens too sensitive to rounding to
    # compare with another implementation; the log-probs of what was sampled say the same exactly)
    sampled = lean.generate(PROMPTS, params)
    for g in sampled:
        for c in g.completions:
            ref = teacher_forced(model, g.prompt_token_ids, c.token_ids)
            assert c.logprobs == pytest.approx(ref, abs=1e-4)


def test_a_prefill_in_slices_samples_what_one_prefill_samples(tokenizer, monkeypatch):
    """Long prompts are prefilled a few at a time (their attention scores grow with the square of the
    length); slicing changes the memory, not the tokens or their log-probs."""
    from guru_envs.rollout import lean_decoder

    model = tiny("llama", tokenizer)
    params = SamplingParams(n=2, temperature=0.8, max_tokens=10, seed=3, logprobs=True)
    whole = HFEngine(model, tokenizer).generate(PROMPTS, params)
    monkeypatch.setattr(lean_decoder, "PREFILL_SCORE_BYTES", 1)  # one prompt per slice
    sliced = HFEngine(model, tokenizer).generate(PROMPTS, params)
    assert _ids(sliced) == _ids(whole)
    for a, b in zip(sliced, whole):
        for x, y in zip(a.completions, b.completions):
            assert x.logprobs == pytest.approx(y.logprobs, abs=1e-5)


def test_bf16_compute_on_a_float32_module(tokenizer):
    model = tiny("llama", tokenizer)
    engine = HFEngine(model, tokenizer, compute_dtype="bfloat16")
    params = SamplingParams(n=4, temperature=1.0, max_tokens=16, seed=0, logprobs=True)
    groups = engine.generate(PROMPTS, params)
    assert next(model.parameters()).dtype == torch.float32  # the module itself is untouched
    # the bf16 sampler's log-probs are those of the model under bf16 autocast, to bf16 rounding
    diffs = [
        abs(a - b)
        for g in groups
        for c in g.completions
        for a, b in zip(c.logprobs, teacher_forced(model, g.prompt_token_ids, c.token_ids, torch.bfloat16))
    ]
    assert max(diffs) < 0.1 and sum(diffs) / len(diffs) < 0.02
    # reproducible, and independent of how rows are batched
    assert _ids(engine.generate(PROMPTS, params)) == _ids(groups)
    small = HFEngine(model, tokenizer, compute_dtype="bfloat16", max_batch_size=3)
    assert _ids(small.generate(PROMPTS, params)) == _ids(groups)


def test_the_bf16_copy_follows_in_place_updates(tokenizer):
    """A fused optimiser updates parameters in place without bumping their version: still seen."""
    model = tiny("llama", tokenizer)
    engine = HFEngine(model, tokenizer, compute_dtype="bfloat16")
    greedy = SamplingParams(temperature=0, max_tokens=10)
    before = _ids(engine.generate(PROMPTS, greedy))
    for p in model.parameters():
        p.grad = torch.randn_like(p)
    torch.optim.AdamW(model.parameters(), lr=0.05, fused=True).step()
    after = _ids(engine.generate(PROMPTS, greedy))
    assert after != before
    assert after == _ids(HFEngine(model, tokenizer, compute_dtype="bfloat16").generate(PROMPTS, greedy))


def test_unsupported_models_use_their_own_forward(tokenizer):
    model = tiny("gpt2", tokenizer)
    assert "gpt2" in unsupported_reason(model)
    engine = HFEngine(model, tokenizer)
    groups = engine.generate(PROMPTS[:1], SamplingParams(n=2, max_tokens=6, seed=0))
    assert engine._decoder() is None and all(c.num_tokens >= 1 for c in groups[0].completions)
    peft = pytest.importorskip("peft")
    lora = peft.get_peft_model(tiny("llama", tokenizer), peft.LoraConfig(r=2, target_modules=["q_proj"]))
    assert unsupported_reason(lora) is not None
    assert unsupported_reason(lora.get_base_model()) is not None  # LoRA layers replaced its projections


def test_inverse_cdf_picks_what_a_full_cumulative_sum_picks():
    gen = torch.Generator().manual_seed(0)
    weights = torch.rand(64, 3000, generator=gen) ** 8  # uneven, and 3000 is not a multiple of the block
    weights[:, 1000:1500] = 0.0  # whole zero blocks
    weights[:, ::7] = 0.0
    u = torch.rand(64, generator=gen)
    u[0], u[1] = 0.0, 1.0 - 2**-24
    got = inverse_cdf(weights, u, block=256)
    cdf = weights.double().cumsum(-1)
    want = torch.searchsorted(cdf, (u.double() * cdf[:, -1])[:, None]).squeeze(-1)
    assert (weights.gather(-1, got[:, None]) > 0).all()  # never a token of zero weight
    close = (cdf.gather(-1, got[:, None]) - cdf.gather(-1, want[:, None])).abs().squeeze(-1)
    same = (got == want) | (close < 1e-4 * cdf[:, -1])  # the same token, up to float rounding
    assert same[2:].all()  # (at u = 0 the plain search returns a token of zero weight: rows 0-1 below)
    assert got[0] == (weights[0] > 0).nonzero()[0, 0]  # u = 0: the first token that has weight
    assert got[1] == (weights[1] > 0).nonzero()[-1, 0]  # u -> 1: the last one
