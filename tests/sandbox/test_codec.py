"""The plain-data codec: exact round trips, lies reduced to the truth, hostile input refused."""

from __future__ import annotations

import collections
import enum
import math

import pytest

from guru_envs.sandbox import codec


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -7,
        2**53,
        -(2**53),
        2**200,
        -(7**500),
        0.1,
        -0.0,
        1e308,
        float("inf"),
        float("-inf"),
        "",
        "héllo\n\x00\u2603",
        "$int",
        b"\x00\xff",
        [1, [2, [3, []]]],
        (1, (2,), ()),
        {"a": 1, "b": [1, 2]},
        {"$int": "0x5"},
        {1: "x", (2, 3): [4], None: 0, "s": 1},
        {1, 2, 3},
        frozenset({"a", (1, 2)}),
        complex(1.5, -2),
        [(), [], {}, set()],
    ],
    ids=lambda v: type(v).__name__,  # repr of a set depends on the hash seed (xdist workers differ)
)
def test_round_trip_is_exact(value):
    back = codec.loads(codec.dumps(value))
    assert type(back) is type(value)
    assert back == value
    if isinstance(value, float):
        assert math.copysign(1, back) == math.copysign(1, value)


def test_nan_round_trips():
    assert math.isnan(codec.loads(codec.dumps(float("nan"))))


def test_bytearray_becomes_bytes():
    assert codec.loads(codec.dumps(bytearray(b"ab"))) == b"ab"


class LyingInt(int):
    def __eq__(self, other):
        return True

    def __int__(self):
        return 42

    def __index__(self):
        return 42

    __hash__ = int.__hash__


class LyingList(list):
    def __iter__(self):
        return iter([42])

    def __len__(self):
        return 1


class LyingStr(str):
    def __str__(self):
        return "42"


class LyingDict(dict):
    def items(self):
        return [("a", 42)]


class Color(enum.IntEnum):
    RED = 3


def test_subclasses_are_reduced_to_their_true_value():
    assert codec.loads(codec.dumps(LyingInt(7))) == 7
    assert type(codec.loads(codec.dumps(LyingInt(7)))) is int
    assert codec.loads(codec.dumps(LyingList([7, 8]))) == [7, 8]
    assert codec.loads(codec.dumps(LyingStr("seven"))) == "seven"
    assert codec.loads(codec.dumps(LyingDict(a=7))) == {"a": 7}
    assert codec.loads(codec.dumps(Color.RED)) == 3
    point = collections.namedtuple("Point", "x y")(1, 2)
    assert codec.loads(codec.dumps(point)) == (1, 2)


@pytest.mark.parametrize(
    "value",
    [
        list(range(-5000, 5000)),
        [1, 2**53],
        [1, 10**5000],  # past int_max_str_digits: only the tagged hex form can carry it
        (0, -(2**60)),
        [1, float("inf")],
        [1.5, float("nan")],
        [True, 1, None, "a", 2.5],
        ["$int", "$tuple"],
        [1, LyingInt(5)],
        (LyingStr("s"), "t"),
    ],
    ids=lambda v: f"{type(v).__name__}{len(v)}",
)
def test_scalar_sequences_round_trip_exactly(value):
    """Lists and tuples of scalars take a fast path; whatever it cannot pass through as it is (big
    ints, non-finite floats, subclasses) must still travel tagged and come back exact and plain."""
    back = codec.loads(codec.dumps(value))
    assert type(back) is type(value) and len(back) == len(value)
    for a, b in zip(value, back):
        if isinstance(a, float) and math.isnan(a):
            assert math.isnan(b)
        else:
            assert b == a and type(b) in (bool, int, float, str, type(None))


def test_big_ints_in_a_scalar_list_still_travel_tagged():
    assert codec.encode([1, 2**53]) == [1, {"$int": hex(2**53)}]
    assert codec.encode((3, "x", None)) == {"$tuple": [3, "x", None]}


class AlwaysEqual:
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value", [AlwaysEqual(), [AlwaysEqual()], {"k": object()}, len, lambda: 1, iter([])])
def test_objects_are_refused(value):
    with pytest.raises(codec.Unserialisable):
        codec.encode(value)


def test_cycles_and_depth_are_refused():
    a: list = []
    a.append(a)
    with pytest.raises(codec.Unserialisable):
        codec.encode(a)
    deep: list = []
    for _ in range(codec.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(codec.Unserialisable):
        codec.encode(deep)
    shared = [1]
    assert codec.loads(codec.dumps([shared, shared])) == [[1], [1]]  # a DAG is fine


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "[" * 100000,
        '{"$int": 5}',
        '{"$int": "zz"}',
        '{"$float": "1.5"}',
        '{"$tuple": 3}',
        '{"$bytes": "!!"}',
        '{"$dict": [[1]]}',
        '{"$dict": [[[1], 2]]}',
        '{"$set": [[1]]}',
        '{"$complex": [1]}',
        '{"$nope": 1}',
        '{"$int": "0x1", "x": 2}',
        "1" * 10000,
        b"\xff\xfe",
    ],
)
def test_hostile_encodings_raise_decode_error(text):
    with pytest.raises(codec.DecodeError):
        codec.loads(text)


_P61 = 2**61 - 1  # hash(k * _P61) == 0 for every int k


@pytest.mark.parametrize("tag", ["$set", "$frozenset", "$dict"])
def test_items_of_one_hash_are_refused_before_building(tag):
    """A set of 20,000 ints of one hash took the scorer's decoder seconds of CPU (quadratic): refused.

    The refusal is timed against decoding an ordinary set of the same size in the same test, on this
    thread's CPU clock (other threads of a loaded worker do not count): building the colliding set would
    cost about a hundred times the ordinary one, the refusal about the same.
    """
    import json
    import time

    def encoded(values):
        items = [{"$int": hex(v)} for v in values]
        return json.dumps({tag: [[item, 0] for item in items] if tag == "$dict" else items})

    colliding = encoded(_P61 * k for k in range(1, 20001))
    ordinary = encoded(_P61 * k + k for k in range(1, 20001))
    started = time.thread_time()
    codec.loads(ordinary)
    ordinary_cost = time.thread_time() - started
    started = time.thread_time()
    with pytest.raises(codec.DecodeError, match="one hash"):
        codec.loads(colliding)
    assert time.thread_time() - started < 10 * ordinary_cost + 0.1
    # Up to MAX_SAME_HASH items of one hash, and large ordinary sets, still decode.
    few = {_P61 * k for k in range(1, codec.MAX_SAME_HASH + 1)}
    assert codec.loads(codec.dumps(few)) == few
    many = set(range(-50000, 50000))
    assert codec.loads(codec.dumps(many)) == many
    assert codec.loads(codec.dumps({k: k for k in many})) == {k: k for k in many}
