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
    assert "gpt2" in engine.lean_unused_reason


PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def with_lora(kind: str, tokenizer, **options):
    """``tiny(kind)`` with LoRA adapters whose B matrices (and biases) are random, not peft's zeros."""
    peft = pytest.importorskip("peft")
    options = {"r": 4, "lora_alpha": 8, "target_modules": PROJECTIONS, **options}
    model = peft.get_peft_model(tiny(kind, tokenizer), peft.LoraConfig(**options))
    torch.manual_seed(1)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.2)
    return model.eval()


def _teacher_forced_all(model, groups):
    return [teacher_forced(model, g.prompt_token_ids, c.token_ids) for g in groups for c in g.completions]


def _logprobs(groups):
    return [c.logprobs for g in groups for c in g.completions]


def _close(got, want, tol=1e-4):
    return all(a == pytest.approx(b, abs=tol) for a, b in zip(got, want, strict=True))


@pytest.mark.parametrize(
    ("kind", "options"),
    [("llama", {"lora_dropout": 0.1}), ("qwen2", {"lora_bias": True, "use_rslora": True})],
)
def test_lora_decodes_what_the_peft_forward_computes(kind, options, tokenizer):
    """The adapters' deltas are in the lean weights: log-probs of the peft forward, generate's tokens."""
    model = with_lora(kind, tokenizer, **options)
    assert unsupported_reason(model) is None
    assert unsupported_reason(model.get_base_model()) is None  # the base with its LoRA layers, as called
    model.train()  # as a trainer leaves it: the engine samples in eval mode (no adapter dropout)
    lean = HFEngine(model, tokenizer)
    params = SamplingParams(n=3, temperature=0.8, top_p=0.9, max_tokens=12, seed=4, logprobs=True)
    sampled = lean.generate(PROMPTS, params)
    assert lean._decoder() is not None and lean.lean_unused_reason is None and model.training
    model.eval()
    assert _close(_logprobs(sampled), _teacher_forced_all(model, sampled))
    with model.disable_adapter():  # the adapters matter: without them the same tokens score otherwise
        without = _teacher_forced_all(model, sampled)
    assert max(abs(a - b) for x, y in zip(_logprobs(sampled), without) for a, b in zip(x, y)) > 0.05
    greedy = SamplingParams(temperature=0, max_tokens=12)
    tokens = _ids(lean.generate(PROMPTS, greedy))
    assert tokens == _ids(HFEngine(model, tokenizer, lean=False).generate(PROMPTS, greedy))
    for g, row in zip(lean.generate(PROMPTS, greedy), tokens):
        ids = torch.tensor([g.prompt_token_ids])
        ref = model.generate(
            input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=12, do_sample=False
        )
        assert row[0] == ref[0, ids.shape[1] :].tolist()[: len(row[0])]


def test_lora_generation_follows_an_optimiser_step(tokenizer):
    """Only the adapters train (in place, fused AdamW): the next generation samples the new weights."""
    model = with_lora("llama", tokenizer)
    engine = HFEngine(model, tokenizer)
    greedy = SamplingParams(temperature=0, max_tokens=10)
    before = _ids(engine.generate(PROMPTS, greedy))
    trained = [p for p in model.parameters() if p.requires_grad]
    assert trained and all("lora_" in n for n, p in model.named_parameters() if p.requires_grad)
    for p in trained:
        p.grad = torch.randn_like(p)
    torch.optim.AdamW(trained, lr=0.05, fused=True).step()
    after = engine.generate(PROMPTS, greedy)
    assert engine._decoder() is not None and _ids(after) != before
    assert _ids(after) == _ids(HFEngine(model, tokenizer, lean=False).generate(PROMPTS, greedy))
    params = SamplingParams(n=2, temperature=1.0, max_tokens=10, seed=1, logprobs=True)
    sampled = engine.generate(PROMPTS, params)
    assert _close(_logprobs(sampled), _teacher_forced_all(model, sampled))


def test_lora_merged_disabled_and_inactive_adapters(tokenizer):
    """Merged deltas are not added twice; disabled or inactive adapters add nothing; merged-then-disabled
    (peft's forward would unmerge in place) falls back."""
    model = with_lora("llama", tokenizer)
    engine = HFEngine(model, tokenizer)
    params = SamplingParams(n=2, temperature=1.0, max_tokens=10, seed=2, logprobs=True)
    reference = engine.generate(PROMPTS, params)
    model.merge_adapter()
    merged = engine.generate(PROMPTS, params)
    assert _ids(merged) == _ids(reference) and _close(_logprobs(merged), _logprobs(reference))
    model.base_model.disable_adapter_layers()
    assert "merged, then disabled" in unsupported_reason(model)
    fallback = engine.generate(PROMPTS, params)
    assert "merged, then disabled" in engine.lean_unused_reason
    # peft's forward took the deltas back out of the base weights: the lean decoder can run it again
    assert not any(m.merged for m in model.modules() if hasattr(m, "merged_adapters"))
    assert unsupported_reason(model) is None
    model.base_model.enable_adapter_layers()
    with model.disable_adapter():
        plain = engine.generate(PROMPTS, params)
        assert engine._decoder() is not None
        assert _close(_logprobs(plain), _teacher_forced_all(model, plain))
        assert _close(_logprobs(fallback), _teacher_forced_all(model, fallback))
    bare = tiny("llama", tokenizer)  # the same random base weights, no adapters
    assert _close(_logprobs(plain), _teacher_forced_all(bare, plain))
    peft = pytest.importorskip("peft")
    model.add_adapter("other", peft.LoraConfig(r=2, target_modules=["q_proj", "down_proj"]))
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B.other" in name:
                param.normal_(0, 0.2)
    model.set_adapter("other")  # "default" stays in the model, inactive: its deltas must not count
    other = engine.generate(PROMPTS, params)
    assert engine._decoder() is not None
    assert _close(_logprobs(other), _teacher_forced_all(model, other))
    with model.disable_adapter():
        assert not _close(_logprobs(other), _teacher_forced_all(model, other), tol=0.05)


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"use_dora": True}, "DoraLinearVariant"),
        ({"modules_to_save": ["lm_head"]}, "ModulesToSaveWrapper"),
        ({"target_modules": ["q_proj", "embed_tokens"]}, "embed_tokens"),
    ],
)
def test_lora_the_lean_weights_cannot_express_falls_back(options, reason, tokenizer):
    model = with_lora("llama", tokenizer, **options)
    assert reason in unsupported_reason(model)
    engine = HFEngine(model, tokenizer)
    params = SamplingParams(n=2, temperature=1.0, max_tokens=6, seed=0, logprobs=True)
    groups = engine.generate(PROMPTS[:2], params)
    assert engine._decoder() is None and reason in engine.lean_unused_reason
    assert _close(_logprobs(groups), _teacher_forced_all(model, groups))


def test_peft_methods_other_than_lora_fall_back(tokenizer):
    peft = pytest.importorskip("peft")
    config = peft.IA3Config(
        target_modules=["k_proj", "v_proj", "down_proj"], feedforward_modules=["down_proj"]
    )
    model = peft.get_peft_model(tiny("llama", tokenizer), config)
    assert "other than LoRA" in unsupported_reason(model)
    assert "ia3" in unsupported_reason(model.get_base_model())  # its projections are IA3 layers


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
