"""The word-problem simulators against hand-worked cases, and their answer normalisations."""

import pytest

from guru_envs.simulation import bank_queue, cellular_automaton, register_machine, robot_grid, stack_machine
from guru_envs.simulation.bank_queue import Customer, Rules
from guru_envs.simulation.cellular_automaton import normalize_1d, normalize_2d, step_1d, step_2d


def test_elementary_rules():
    # rule 90: next = left XOR right
    assert step_1d("...#...", 90, wrap=False) == "..#.#.."
    assert step_1d("..#.#..", 90, wrap=False) == ".#...#."
    # rule 30 with wrap-around: the leftmost cell sees the rightmost as its left neighbour
    assert step_1d("#......", 30, wrap=True) == "##....#"
    assert step_1d("#......", 30, wrap=False) == "##....."


def test_life_blinker_and_block():
    blinker = [".....", "..#..", "..#..", "..#..", "....."]
    life = (frozenset({3}), frozenset({2, 3}))
    assert step_2d(blinker, *life, wrap=False) == [".....", ".....", ".###.", ".....", "....."]
    block = ["....", ".##.", ".##.", "...."]
    assert step_2d(block, *life, wrap=False) == block
    # on a 3x3 torus every cell neighbours every other: 3 live cells -> all 9 alive (births everywhere)
    assert step_2d(["#..", ".#.", "..#"], *life, wrap=True) == ["###", "###", "###"]


@pytest.mark.parametrize(
    ("given", "want"),
    [("..##", "..##"), (["..##"], "..##"), (" ..## ", "..##")],
)
def test_ca_row_normalisation(given, want):
    assert normalize_1d(given) == want


def test_ca_grid_normalisation():
    assert normalize_2d(".#\n#.") == [".#", "#."]
    with pytest.raises(TypeError):
        normalize_2d(5)


def test_ca_cells_are_the_prompts_symbols_or_integer_cells():
    # 0/1 text is not the prompt's symbols (a boxed 1001 read as a number and \boxed{0110} as a row, before)
    assert normalize_1d("0011") != "..##"
    assert normalize_2d(["01", "10"]) != [".#", "#."]
    # a JSON list of integer cells is the same state (reasoning-gym's Game of Life grids)
    assert normalize_1d([0, 0, 1, 1]) == "..##"
    assert normalize_2d([[0, 1], [1, 0]]) == [".#", "#."]
    with pytest.raises(TypeError):
        normalize_1d([True, False])
    with pytest.raises(TypeError):
        normalize_2d([[0, 2], [1, 0]])


def test_bank_queue_by_hand():
    cs = [Customer("Ann", 0, 3, False), Customer("Bob", 1, 2, False), Customer("Cid", 1, 4, True)]
    # one teller: Ann 0-3; at 1 Bob then Cid join; Cid is a VIP and goes first: Cid 3-7, Bob 7-9
    assert bank_queue.simulate(cs, Rules(1, True, 0, 0))[0] == {"Ann": 3, "Cid": 7, "Bob": 9}
    assert bank_queue.simulate(cs, Rules(1, False, 0, 0))[0] == {"Ann": 3, "Bob": 5, "Cid": 9}
    # two tellers: Ann on 1 (0-3), Bob on 2 (1-3), Cid waits until 3 and takes teller 1 (3-7)
    assert bank_queue.simulate(cs, Rules(2, False, 0, 0))[0] == {"Ann": 3, "Bob": 3, "Cid": 7}
    # balking: with one teller and balk_at=1, Cid finds Bob waiting and leaves
    assert bank_queue.simulate(cs, Rules(1, False, 1, 0))[0] == {"Ann": 3, "Bob": 5, "Cid": None}
    # trainee: teller 2 needs 2 more minutes
    assert bank_queue.simulate(cs, Rules(2, False, 0, 2))[0] == {"Ann": 3, "Bob": 5, "Cid": 7}


def test_robot_walls_coins_and_ice():
    grid = ["....", ".#*.", "~~~.", "...."]
    start = robot_grid.State(0, 0, "S")
    s = robot_grid.run(grid, start, ["F"])  # onto (1, 0)
    assert (s.row, s.col) == (1, 0)
    s = robot_grid.run(grid, start, ["L", "F3"])  # east along row 0 to the edge
    assert (s.row, s.col, s.facing, s.blocked) == (0, 3, "E", 0)
    s = robot_grid.run(grid, start, ["L", "F3", "F"])  # off the grid: stays, counted as blocked
    assert (s.row, s.col, s.blocked) == (0, 3, 1)
    s = robot_grid.run(grid, robot_grid.State(1, 0, "E"), ["F"])  # wall
    assert (s.row, s.col, s.blocked) == (1, 0, 1)
    s = robot_grid.run(grid, robot_grid.State(1, 3, "W"), ["F", "U", "F", "U", "F"])  # coin taken once
    assert (s.row, s.col, s.coins) == (1, 2, 1)
    s = robot_grid.run(grid, robot_grid.State(1, 0, "S"), ["F", "L", "F"])  # onto ice, slides on to (3, 0)
    assert (s.row, s.col, s.facing, s.slid) == (3, 1, "E", 1)
    s = robot_grid.run(grid, robot_grid.State(2, 0, "E"), ["F"])  # along the ice row to the first floor cell
    assert (s.row, s.col) == (2, 3)
    s = robot_grid.run(grid, robot_grid.State(2, 3, "W"), ["F"])  # onto ice, slides to the west edge
    assert (s.row, s.col) == (2, 0)
    # B is blocked by the edge; F2's first cell is ice and the slide to (1, 0) uses none of F2's cells
    s = robot_grid.run(grid, robot_grid.State(3, 0, "N"), ["B", "F2"])
    assert (s.row, s.col, s.blocked) == (0, 0, 1)


def test_robot_answer_normalisation():
    want = {"row": 1, "col": 2, "facing": "N"}
    assert robot_grid.normalize_answer({"row": 1, "col": 2, "facing": "north"}) == want
    assert robot_grid.normalize_answer({"col": 2, "row": 1, "facing": " n "}) == want
    with pytest.raises(TypeError):
        robot_grid.normalize_answer([1, 2, "N"])


def test_register_machine_semantics():
    program = [("set", "A", "-7"), ("mod", "A", "3"), ("set", "B", "-7"), ("div", "B", "2"), ("set", "C", "3"),
               ("add", "D", "C"), ("dec", "C"), ("jnz", "C", "6"), ("jgt", "D", "5", "11"), ("inc", "A"), ("inc", "B")]  # fmt: skip
    final, states = register_machine.execute(program)
    # -7 mod 3 = 2, floor(-7 / 2) = -4, D = 3 + 2 + 1 = 6 > 5 so line 10 is skipped
    assert final == {"A": 2, "B": -3, "C": 0, "D": 6}
    assert len(states) == 5 + 3 * 3 + 1 + 1
    with pytest.raises(RuntimeError):
        register_machine.execute([("inc", "A"), ("jnz", "A", "1")], budget=100)


def test_stack_machine_semantics():
    program = [("push", 1), ("push", 2), ("push", 3), ("rot", None), ("over", None), ("sub", None),
               ("repeat", 2, [("dup", None), ("add", None)]), ("push", -7), ("mod", 3),
               ("push", 0), ("if", [("push", 100)], [("push", 200)])]  # fmt: skip
    stack, _ = stack_machine.run(program)
    # 1 2 3 -> rot -> 2 3 1 -> over -> 2 3 1 3 -> sub -> 2 3 -2 -> (dup add) x2 -> 2 3 -8
    # -> push -7 mod 3 -> 2 3 -8 2 -> push 0, if takes the else branch -> 2 3 -8 2 200
    assert stack == [2, 3, -8, 2, 200]
    with pytest.raises(RuntimeError):
        stack_machine.run([("add", None)])


def test_cellular_rule_tables_are_written_out():
    task = cellular_automaton.CellularAutomatonFamily().sample(5, 2)
    rule = task.meta["rule"]
    for index in range(8):
        pattern = "".join("#" if index >> b & 1 else "." for b in (2, 1, 0))
        assert f"{pattern} -> {'#' if rule >> index & 1 else '.'}" in task.prompt


def _task(name, difficulty, seed):
    from guru_envs.core.registry import catalog

    return catalog().family("simulation", name).sample(seed, difficulty)


def test_ca_row_boxed_with_latex_escapes_is_read():
    import json

    from guru_envs.core.scoring import score

    task = _task("cellular_automaton", 3, 0)
    row = task.answer
    escaped = row.replace("#", "\\#")
    assert score(task, "\\boxed{" + escaped + "}").reward == 1.0  # LaTeX makes # be escaped
    assert score(task, "\\boxed{\\texttt{" + escaped + "}}").reward == 1.0
    assert score(task, "\\boxed{" + row + "}").reward == 1.0
    flipped = escaped[:-1] + ("." if row[-1] == "#" else "\\#")
    assert score(task, "\\boxed{" + flipped + "}").reward == 0.0
    ones = row.replace("#", "1").replace(".", "0")
    for response in ("\\boxed{" + ones + "}", f"```json\n{json.dumps(ones)}\n```"):
        assert score(task, response).reward == 0.0  # 0/1 text: another notation than the prompt's
    assert score(task, f"```json\n{list(map(int, ones))}\n```").reward == 1.0  # integer cells are cells


def test_robot_facing_in_other_letters_is_no_direction():
    import json

    from guru_envs.core.scoring import score

    task = _task("robot_grid", 1, 0)
    answer = task.answer
    assert (
        score(task, f"```json\n{json.dumps({**answer, 'facing': answer['facing'].lower()})}\n```").reward
        == 1.0
    )
    if answer["facing"] == "S":
        # the long s: str.upper() makes it S
        assert score(task, f"```json\n{json.dumps({**answer, 'facing': 'ſ'})}\n```").reward == 0.0
    assert robot_grid.normalize_answer({"facing": "ſ"})["facing"] == "ſ"
    assert robot_grid.normalize_answer({"facing": "ﬆ"})["facing"] == "ﬆ"
    assert robot_grid.normalize_answer({"facing": " south "})["facing"] == "S"
