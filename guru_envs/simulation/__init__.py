"""Simulation domain: predict what a program or a process does (``guru/Simulation-v1``).

Generator families (one file each): :mod:`.program_output` and :mod:`.program_input` (generated Python
programs, :mod:`.programs`), :mod:`.cellular_automaton`, :mod:`.bank_queue`, :mod:`.robot_grid`,
:mod:`.register_machine`, :mod:`.stack_machine`. Verifier-only families for GURU rows: :mod:`.codeio`
(``simulation__codeio*``) and :mod:`.cruxeval` (``simulation__cruxeval*``). Shared pieces: the answer
format and value scoring (:mod:`.answers`) and program execution (:mod:`.execute`: a line-budgeted guard
worker for our own programs, :mod:`guru_envs.sandbox` for anything that depends on model text).

Families are registered by ``registry/builtin/simulation.toml``; importing this package has no effects.
"""
