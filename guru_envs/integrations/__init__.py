"""Adapters for the RL tools people already run: TRL, verl (and GURU's pipeline), verifiers.

Each adapter is its own module and imports its tool only when used, so ``import guru_envs`` never
needs them:

- :mod:`guru_envs.integrations.trl`: a reward function for TRL's ``GRPOTrainer`` and a dataset
  builder whose columns carry what scoring needs.
- :mod:`guru_envs.integrations.verl`: ``compute_score`` and ``compute_score_batch`` for verl's
  ``custom_reward_function`` (naive and batch reward managers).
- :mod:`guru_envs.integrations.verifiers`: ``load_environment(env_id, ...)``, any guru id as a
  ``verifiers`` environment.

They share :mod:`guru_envs.integrations.common`: the text of a completion, tasks rebuilt from
dataset columns, and one scoring pool.
"""
