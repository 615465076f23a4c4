"""Shared-prompt attention: a packed row gives each response exactly what running it alone gives."""

import torch
from transformers import LlamaConfig, LlamaForCausalLM

from agents.shared_prompt import PackLayout, shared_prompt_attention


def tiny_llama():
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=50,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,  # grouped-query attention, as in SmolLM2
        max_position_embeddings=128,
        attn_implementation="sdpa",
    )
    return LlamaForCausalLM(config).eval()


def test_packed_rows_match_each_prompt_and_response_run_alone():
    model = tiny_llama()
    gen = torch.Generator().manual_seed(1)
    # two rows with prompts of different lengths (the shorter prompt's row has response tokens where the
    # longer prompt still runs), responses of different lengths, and padding at the end of row 0
    prompts = [torch.randint(0, 50, (3,), generator=gen), torch.randint(0, 50, (6,), generator=gen)]
    responses = [
        [torch.randint(0, 50, (n,), generator=gen) for n in (2, 5)],
        [torch.randint(0, 50, (n,), generator=gen) for n in (1, 4, 3)],
    ]
    width = max(len(p) + sum(len(r) for r in rs) for p, rs in zip(prompts, responses))
    ids = torch.zeros((2, width), dtype=torch.long)
    positions = torch.zeros((2, width), dtype=torch.long)
    spans = []
    for b, (prompt, rs) in enumerate(zip(prompts, responses)):
        p = len(prompt)
        ids[b, :p], positions[b, :p] = prompt, torch.arange(p)
        at, row_spans = p, []
        for r in rs:
            ids[b, at : at + len(r)], positions[b, at : at + len(r)] = r, torch.arange(p, p + len(r))
            row_spans.append((at, len(r)))
            at += len(r)
        positions[b, at:] = torch.arange(width - at) + p
        spans.append(row_spans)

    layout = PackLayout.build([len(p) for p in prompts], spans)
    with torch.no_grad(), shared_prompt_attention(model.model, layout):
        packed = model.model(input_ids=ids, position_ids=positions, use_cache=False).last_hidden_state
    assert model.config._attn_implementation == "sdpa"  # restored afterwards

    with torch.no_grad():
        for b, (prompt, rs) in enumerate(zip(prompts, responses)):
            p = len(prompt)
            for (at, n), r in zip(spans[b], rs):
                alone = model.model(
                    input_ids=torch.cat([prompt, r])[None], use_cache=False
                ).last_hidden_state[0]
                torch.testing.assert_close(packed[b, :p], alone[:p], rtol=1e-5, atol=1e-5)
                torch.testing.assert_close(packed[b, at : at + n], alone[p:], rtol=1e-5, atol=1e-5)
    assert torch.isfinite(packed).all()


def test_outside_the_context_the_model_keeps_its_own_attention():
    model = tiny_llama()
    ids = torch.randint(0, 50, (2, 7))
    with torch.no_grad():
        before = model(input_ids=ids).logits
        layout = PackLayout.build([3], [[(3, 4)]])
        with shared_prompt_attention(model.model, layout):
            pass
        after = model(input_ids=ids).logits
    torch.testing.assert_close(before, after)
