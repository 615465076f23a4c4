"""The trusted side of functional tests: runs a dataset's test code in the sandbox's checker process.

Never imported by the scorer: :mod:`guru_envs.code.functional` reads this file as text and sends it as
the ``check_code`` of a :class:`guru_envs.sandbox.CheckTest`. The checker process then calls
``__guru_run__(candidate, prelude, tests, free, forced)``, where ``candidate`` is the sandbox's proxy to
the submission's ``__guru_remote__`` (see :mod:`._submission_shim`).

GURU/verl rows store tests as Python that was meant to run in the same file as the solution
(``{"functional": "assert f(1) == 2 ..."}``), which lets a solution pass by exiting early, patching
builtins or returning objects whose ``__eq__`` always says True. Here the test code runs alone, in its
own process. Every name it reads but does not define (other than builtins, standard modules and names
of the trusted prelude) is bound to a *remote* stand-in whose calls run in the submission's process and
come back as plain data, as ``ListNode``/``TreeNode`` structures rebuilt here, or as opaque handles that
only equal themselves. The asserts therefore compare values this process built. Lists, dicts and sets
passed as arguments get the submission's in-place changes written back, so "modify ``nums`` in place"
tests still work.

The scorer prepares the test code beforehand (:func:`guru_envs.code.functional.prepare_tests`): the names
it reads are listed, so this process needs no parser. Stdlib-only; names start with ``__guru``, ``_`` or ``Remote``.
"""

import builtins
import importlib
import linecache
import sys

_LIST_TAG, _TREE_TAG, _HANDLE_TAG, _CALLABLE_TAG = (
    "__guru_list__",
    "__guru_tree__",
    "__guru_handle__",
    "__guru_callable__",
)
_TESTS_FILE = "tests.py"
# JSON literals that some dataset rows left in their Python tests
_ALIASES = {"true": True, "false": False, "null": None}


class _ProtocolBroken(BaseException):  # noqa: N818 - a BaseException so tests' ``except Exception`` cannot hide it
    """The submission's side answered something that is not a well-formed reply."""


class _LoadFailed(BaseException):  # noqa: N818
    """The submission could not be loaded (syntax error, exception or exit at import time)."""


class _Link:
    candidate = None
    node_classes: dict = {}


class _ListNode:
    def __init__(self, val=0, next=None):  # noqa: A002 - LeetCode's own signature
        self.val = val
        self.next = next


class _TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right


def _node_class(name, fallback):
    cls = _Link.node_classes.get(name)
    return cls if isinstance(cls, type) else fallback


def _is_list_node(x):
    return type(x).__name__ == "ListNode" and hasattr(x, "val") and hasattr(x, "next")


def _is_tree_node(x):
    return type(x).__name__ == "TreeNode" and hasattr(x, "val") and hasattr(x, "left") and hasattr(x, "right")


def _wire_list(head):
    seen, values, node = {}, [], head
    while node is not None:
        if id(node) in seen:
            return {_LIST_TAG: values, "cycle": seen[id(node)]}
        seen[id(node)] = len(values)
        values.append(_to_wire(node.val))
        node = node.next
    return {_LIST_TAG: values, "cycle": -1}


def _wire_tree(root):
    values, queue = [], [root]
    for node in queue:
        if node is None:
            values.append(None)
            continue
        values.append(_to_wire(node.val))
        queue.append(node.left)
        queue.append(node.right)
    while values and values[-1] is None:
        values.pop()
    return {_TREE_TAG: values}


def _to_wire(x):
    if x is None or isinstance(x, bool | int | float | str | bytes | complex):
        return x
    if isinstance(x, list):
        return [_to_wire(v) for v in x]
    if isinstance(x, tuple):
        return tuple(_to_wire(v) for v in x)
    if isinstance(x, dict):
        return {k: _to_wire(v) for k, v in x.items()}
    if isinstance(x, set | frozenset):
        return x
    if isinstance(x, RemoteObject):
        return {_HANDLE_TAG: x._handle}
    if _is_list_node(x):
        return _wire_list(x)
    if _is_tree_node(x):
        return _wire_tree(x)
    raise TypeError(f"the tests passed a {type(x).__name__} to the submission; only plain data can be passed")


def _build_list(values, cycle):
    cls = _node_class("ListNode", _ListNode)
    nodes = [cls(_from_wire(v)) for v in values]
    for a, b in zip(nodes, nodes[1:]):
        a.next = b
    if nodes and isinstance(cycle, int) and not isinstance(cycle, bool) and 0 <= cycle < len(nodes):
        nodes[-1].next = nodes[cycle]
    return nodes[0] if nodes else None


def _build_tree(values):
    if not isinstance(values, list):
        raise _ProtocolBroken("malformed tree")
    if not values or values[0] is None:
        return None
    cls = _node_class("TreeNode", _TreeNode)
    root = cls(_from_wire(values[0]))
    queue, i = [root], 1
    for node in queue:
        if i >= len(values):
            break
        for side in ("left", "right"):
            if i < len(values) and values[i] is not None:
                child = cls(_from_wire(values[i]))
                setattr(node, side, child)
                queue.append(child)
            i += 1
    return root


def _from_wire(x):
    if isinstance(x, list):
        return [_from_wire(v) for v in x]
    if isinstance(x, tuple):
        return tuple(_from_wire(v) for v in x)
    if isinstance(x, dict):
        if len(x) == 2 and _LIST_TAG in x and isinstance(x[_LIST_TAG], list):
            return _build_list(x[_LIST_TAG], x.get("cycle"))
        if len(x) == 1 and _TREE_TAG in x:
            return _build_tree(x[_TREE_TAG])
        if len(x) == 1 and _HANDLE_TAG in x:
            handle = x[_HANDLE_TAG]
            if type(handle) is not int:
                raise _ProtocolBroken("malformed handle")
            return RemoteObject(handle)
        return {k: _from_wire(v) for k, v in x.items()}
    return x


def _write_back(original, state):
    """Make ``original`` (an argument the tests still hold) look like the submission left it."""
    if state is None:
        return
    new = _from_wire(state)
    if isinstance(original, list) and isinstance(new, list):
        original[:] = new
    elif isinstance(original, dict) and isinstance(new, dict):
        original.clear()
        original.update(new)
    elif isinstance(original, set) and isinstance(new, set):
        original.clear()
        original.update(new)
    elif _is_list_node(original) and new is not None and hasattr(new, "next"):
        original.val, original.next = new.val, new.next
    elif _is_tree_node(original) and new is not None and hasattr(new, "left"):
        original.val, original.left, original.right = new.val, new.left, new.right


def _request(op, target, args=(), kwargs=None):
    kwargs = kwargs or {}
    reply = _Link.candidate(
        op, target, [_to_wire(a) for a in args], {k: _to_wire(v) for k, v in kwargs.items()}
    )
    if not isinstance(reply, dict) or "value" not in reply:
        raise _ProtocolBroken("the submission's side sent a malformed reply")
    value = reply["value"]
    if isinstance(value, dict) and len(value) == 1 and value.get(_CALLABLE_TAG) is True:
        return _CALLABLE_TAG
    mutated, kwmutated = reply.get("mutated") or [], reply.get("kwmutated") or {}
    if not isinstance(mutated, list) or not isinstance(kwmutated, dict):
        raise _ProtocolBroken("the submission's side sent a malformed reply")
    for original, state in zip(args, mutated):
        _write_back(original, state)
    for key, state in kwmutated.items():
        if key in kwargs:
            _write_back(kwargs[key], state)
    return _from_wire(value)


class RemoteName:
    """A name the tests expect the submission to define; calling it runs the submission's code."""

    def __init__(self, path):
        self._path = path
        self.__name__ = path

    def __call__(self, *args, **kwargs):
        return _request("call", self._path, args, kwargs)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        value = _request("attr", f"{self._path}.{attr}")
        return RemoteName(f"{self._path}.{attr}") if value == _CALLABLE_TAG else value

    def __repr__(self):
        return f"<submission's {self._path}>"


class RemoteObject:
    """An object that lives in the submission's process (an instance of its class, say)."""

    def __init__(self, handle):
        self._handle = handle

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        value = _request("getattr", [self._handle, attr])
        if value == _CALLABLE_TAG:
            return RemoteMethod(self._handle, attr)
        return value

    def __repr__(self):
        return f"<submission object #{self._handle}>"


class RemoteMethod:
    """A bound method of a :class:`RemoteObject`."""

    def __init__(self, handle, attr):
        self._handle, self._attr = handle, attr
        self.__name__ = attr

    def __call__(self, *args, **kwargs):
        return _request("method", [self._handle, self._attr], args, kwargs)

    def __repr__(self):
        return f"<submission method {self._attr}>"


def __guru_run__(candidate, prelude, tests, free, forced=()):  # noqa: N807
    """Run ``tests`` with the submission's names bound to remote stand-ins (see the module docstring).

    ``free`` lists the names ``tests`` reads without binding them (found by the scorer), so this process
    needs no parser of its own.
    """
    _Link.candidate = candidate
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    if prelude:
        exec(compile(prelude, "prelude.py", "exec"), namespace)
    trusted = set(namespace)
    _Link.node_classes = {k: namespace.get(k) for k in ("ListNode", "TreeNode")}
    try:
        offered = candidate("names")
    except BaseException as exc:  # noqa: BLE001 - any failure here means the module did not load
        text = str(exc)
        if not text.startswith(type(exc).__name__):
            text = f"{type(exc).__name__}: {text}"
        raise _LoadFailed(f"the submission failed to load: {text}") from None
    if not isinstance(offered, list):
        raise _ProtocolBroken("the submission's side sent a malformed name list")
    # Builtins and standard modules always mean the real ones here: a submission that defines ``all``
    # or a fake ``math`` with an ``isclose`` that says True must not get to answer for the tests. The
    # exceptions come in ``forced``: the entry point, and builtin-named functions under test (``max``).
    for name in sorted(set(free) | set(forced)):
        if name in forced:
            namespace[name] = RemoteName(name)
        elif name in trusted or hasattr(builtins, name):
            continue
        elif name in sys.stdlib_module_names:
            namespace[name] = importlib.import_module(name)
        elif name in _ALIASES and name not in offered:
            namespace[name] = _ALIASES[name]
        else:  # the submission's (an undefined one fails remotely with the submission's NameError)
            namespace[name] = RemoteName(name)
    linecache.cache[_TESTS_FILE] = (len(tests), None, tests.splitlines(True), _TESTS_FILE)
    exec(compile(tests, _TESTS_FILE, "exec"), namespace)
