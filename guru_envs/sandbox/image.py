"""The system files sandboxed programs see, copied once per host into a tmpfs (the *image*).

Why: a read-only bind of the host's ``/usr``, ``/lib`` and the Python prefix shares the host's page
cache with every sandboxed program. Whether a page of a host file is cached is state that one program
can set (read the page) or clear (``posix_fadvise(POSIX_FADV_DONTNEED)``) and a later one can read
(``preadv2`` with ``RWF_NOWAIT``, ``cachestat``, ``mincore`` or ``/proc/self/pagemap`` after fault-around,
major page faults, timing). Those bits outlived executions, workers and scorer restarts, and a red-team
program learned a Code task's hidden outputs through them, one verdict at a time. The pages of a file in
a tmpfs are always resident (there is no swap on these machines), so their residency carries nothing:
the workers bind this copy instead of the host's directories, and re-execute their interpreter from it
(:mod:`launcher`) so that no sandboxed process maps a host file either.

What is copied: the interpreter, its standard library (without ``site-packages``, the test suites,
IDLE, tkinter, turtledemo, ensurepip, the static library of ``config-*``, optimised ``.pyc`` files and
the ``_test*``/``xxlimited`` extension modules), the shared libraries the interpreter and the copied
extension modules link (as ``ldd`` resolves them, dynamic loader included) and a few small tools that
programs commonly run (``sh``, ``echo``, ``cat``, ``sleep``, ``true``, ``false``). Each file keeps its
host path, modes (write bits dropped) and modification time (the ``.pyc`` files check it), and every
symbolic link on the way to it is copied as a link, so paths resolve inside as they do on the host.

Once per host: the image is made in a private temporary directory and renamed into place, under a name
that says whose it is and what it holds (the interpreter, and a hash of every source file's path, size
and modification time); every process that needs it checks a found image against its manifest (one
``stat`` per source file) and uses it, so the copy is made once and each later scorer reuses it. An
image whose sources changed is not used (a new one is made beside it); old images are never removed
(a live worker may still have one bound: removing its files would empty the sandbox's ``/usr``).
If no tmpfs can hold it, :func:`ensure` says why and the workers fall back to the host's directories,
reported in ``Sandbox.isolation.errors``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import secrets
import shutil
import stat
import subprocess
import tempfile
import threading
import time

FORMAT = 1
PREFIX = "guru-sandbox-image-"
# Where the image may live: tmpfs mounts, most common first ("{uid}": this process's uid).
CANDIDATES = ("/dev/shm", "/run/user/{uid}", "/run/shm")
TOOLS = ("sh", "echo", "cat", "sleep", "true", "false")
TOP_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SKIP_DIRS = frozenset(
    "site-packages dist-packages test tests idle_test idlelib tkinter turtledemo ensurepip".split()
)
SKIP_EXTENSIONS = ("_test", "_xxtestfuzz", "xxlimited", "xxsubtype", "_tkinter", "_ctypes_test")
# Top-level names the worker makes itself in the sandbox's root: nothing of the image may land there
# (Debian's stdlib links sitecustomize.py to /etc, which only the ``site`` module, never run, reads).
RESERVED_TOPS = frozenset(("etc", "dev", "proc", "sys", "tmp", "var", "x"))
_STALE_TMP_S = 600.0

_LAYOUT = (
    "import json, os, sys\n"
    "print(json.dumps({'exe': os.path.realpath(sys.executable), 'path': sys.path,\n"
    "                  'tag': sys.implementation.cache_tag, 'version': sys.version}))\n"
)
_lock = threading.Lock()


class ImageError(Exception):
    """The image cannot be made or found here (the reason is reported as a missing layer)."""


def _mounts() -> list[tuple[str, str, set[str]]]:
    """(mount point, file system type, options) of this process's mounts, deepest last."""
    out = []
    with contextlib.suppress(OSError), open("/proc/self/mountinfo", encoding="utf-8") as fh:
        for line in fh:
            left, _, right = line.partition(" - ")
            fields = left.split()
            point = fields[4].replace("\\040", " ")
            fstype = right.split()[0] if right.split() else ""
            out.append((point, fstype, set(fields[5].split(","))))
    return out


def _mount_of(path: str) -> tuple[str, set[str]]:
    best, fstype, opts = "", "", set()
    for point, kind, options in _mounts():
        if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, fstype, opts = point, kind, options
    return fstype, opts


def _candidates(need_exec: bool) -> list[str]:
    """Usable tmpfs directories: this process may write them, and executables there may run."""
    out = []
    for pattern in CANDIDATES:
        path = os.path.realpath(pattern.format(uid=os.geteuid()))
        if not os.path.isdir(path) or not os.access(path, os.W_OK | os.X_OK):
            continue
        fstype, opts = _mount_of(path)
        if fstype != "tmpfs":
            continue
        if "noexec" in opts and need_exec:
            continue  # only a worker that is real root may bind it without noexec
        out.append(path)
    return out


def _layout(python: str) -> dict:
    proc = subprocess.run(
        [python, "-I", "-S", "-c", _LAYOUT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
    )
    if proc.returncode != 0:
        raise ImageError(f"cannot ask {python} for its layout: {proc.stderr[-300:]}")
    return json.loads(proc.stdout)


def _stdlib_files(layout: dict) -> tuple[list[str], list[str]]:
    """(directories, files) of the standard library to copy, as host paths."""
    tag = layout["tag"]
    dirs, files = [], []
    roots = [p for p in layout["path"] if os.path.isdir(p)]
    roots += [p for p in layout["path"] if os.path.isfile(p)]  # python3XX.zip, where there is one
    for root in roots:
        if os.path.isfile(root):
            files.append(root)
            continue
        if any(root.startswith(r + "/") for r in roots if r != root and os.path.isdir(r)):
            continue  # lib-dynload, inside the standard library: walked with it
        for here, subdirs, names in os.walk(root):
            subdirs[:] = sorted(d for d in subdirs if d not in SKIP_DIRS and not d.startswith("config-"))
            dirs.append(here)
            for name in sorted(names):
                if name.endswith(".pyc") and not name.endswith(f".{tag}.pyc"):
                    continue  # optimised (.opt-1/.opt-2) or another interpreter's bytecode
                if name.endswith(".so") and name.startswith(SKIP_EXTENSIONS):
                    continue
                files.append(os.path.join(here, name))
    return dirs, files


def _libraries(elves: list[str]) -> list[str]:
    """Every shared library (and the dynamic loader) the ELF files ``elves`` load, as ``ldd`` finds them."""
    ldd = shutil.which("ldd", path="/usr/bin:/bin:/usr/sbin:/sbin")
    if ldd is None:
        raise ImageError("no ldd to find the shared libraries the interpreter needs")
    found: set[str] = set()
    for start in range(0, len(elves), 64):
        proc = subprocess.run(
            [ldd, *elves[start : start + 64]],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
        )
        for line in proc.stdout.splitlines():
            if not line.startswith("\t"):
                continue
            words = line.split()
            path = words[2] if len(words) >= 3 and words[1] == "=>" else words[0]
            if path.startswith("/") and os.path.exists(path):
                found.add(path)
    return sorted(found)


def _is_elf(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


class _Tree:
    """Mirrors host paths under ``root``: every symbolic link on the way is copied as a link."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.sources: dict[str, list] = {}  # host path -> what the manifest checks

    def _note(self, path: str) -> None:
        st = os.lstat(path)
        self.sources[path] = [st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino]

    def _mkdir(self, path: str) -> None:
        target = self.root + path
        if not os.path.lexists(target):
            os.mkdir(target)
            os.chmod(target, 0o755)  # whatever this process's umask

    def add(self, path: str, depth: int = 0) -> str:
        """Copy the host file ``path`` (and the links leading to it); return its resolved host path."""
        if depth > 40:
            raise ImageError(f"too many symbolic links: {path}")
        parts = [p for p in path.split("/") if p and p != "."]
        cur = ""
        for i, part in enumerate(parts):
            if part == "..":
                cur = os.path.dirname(cur) if cur else ""
                continue
            nxt = f"{cur}/{part}"
            st = os.lstat(nxt)
            if stat.S_ISLNK(st.st_mode):
                link = os.readlink(nxt)
                if not os.path.lexists(self.root + nxt):
                    os.symlink(link, self.root + nxt)
                self._note(nxt)
                base = "" if link.startswith("/") else cur
                rest = "/".join(parts[i + 1 :])
                return self.add(f"{base}/{link}" + (f"/{rest}" if rest else ""), depth + 1)
            if stat.S_ISDIR(st.st_mode):
                self._mkdir(nxt)
            elif stat.S_ISREG(st.st_mode) and i == len(parts) - 1:
                self._copy(nxt, st)
            else:
                raise ImageError(f"not a regular file or directory: {nxt}")
            cur = nxt
        return cur or "/"

    def _copy(self, path: str, st: os.stat_result) -> None:
        target = self.root + path
        if os.path.lexists(target):
            return
        shutil.copyfile(path, target, follow_symlinks=False)
        os.chmod(target, (st.st_mode & 0o555) | 0o444)
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=False)
        self._note(path)

    def add_dir(self, path: str) -> None:
        """An (empty) directory of the host, with the links leading to it."""
        resolved = self.add(os.path.dirname(path))
        target = f"{resolved.rstrip('/')}/{os.path.basename(path)}"
        self._mkdir(target)
        self._note(target)


def _manifest_ok(path: str) -> bool:
    """The image at ``path`` is ours, complete, and every source is as it was when it was copied."""
    try:
        st = os.lstat(path)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
            return False
        with open(os.path.join(path, "manifest.json"), encoding="utf-8") as fh:
            manifest = json.load(fh)
        if manifest.get("format") != FORMAT:
            return False
        for source, (mode, size, mtime, ino) in manifest["sources"].items():
            now = os.lstat(source)
            if (now.st_mode, now.st_size, now.st_mtime_ns, now.st_ino) != (mode, size, mtime, ino):
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def _remove_stale_tmp(base: str) -> None:
    """Temporary directories of builders that died (older than ten minutes, ours)."""
    with contextlib.suppress(OSError):
        for name in os.listdir(base):
            if not name.startswith(f".{PREFIX}tmp-"):
                continue
            path = os.path.join(base, name)
            with contextlib.suppress(OSError):
                st = os.lstat(path)
                if st.st_uid == os.geteuid() and time.time() - st.st_mtime > _STALE_TMP_S:
                    shutil.rmtree(path, ignore_errors=True)


def _build(base: str, tmp: str, layout: dict) -> dict:
    """Copy everything into ``tmp/tree``; return the manifest (written to ``tmp/manifest.json``)."""
    tree = _Tree(os.path.join(tmp, "tree"))
    os.mkdir(tree.root)
    os.chmod(tree.root, 0o755)
    for top in TOP_LINKS:
        if os.path.islink(top):
            tree.add(top)
    exe = layout["exe"]
    tree.add(exe)
    elves = [exe]
    dirs, files = _stdlib_files(layout)
    for d in dirs:
        tree.add(d)
        tree._note(d)  # a module added or removed changes its directory
    for f in files:
        if os.path.realpath(f).split("/")[1] in RESERVED_TOPS:
            continue
        tree.add(f)
        if f.endswith(".so") and _is_elf(f):
            elves.append(f)
    for tool in TOOLS:
        found = shutil.which(tool, path="/usr/bin:/bin")
        if found is not None:
            real = tree.add(found)
            if _is_elf(real):
                elves.append(real)
    for lib in _libraries(elves):
        tree.add(lib)
    for d in [r for r in layout["path"] if os.path.isdir(r)]:
        site = os.path.join(d, "site-packages")
        if os.path.isdir(site):
            tree.add_dir(site)  # an empty one, as the host binds showed it
    manifest = {"format": FORMAT, "python": exe, "version": layout["version"], "sources": tree.sources}
    with open(os.path.join(tmp, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, sort_keys=True)
    os.chmod(os.path.join(tmp, "manifest.json"), 0o444)
    return manifest


def _size_of(layout: dict) -> int:
    _, files = _stdlib_files(layout)
    total = os.path.getsize(layout["exe"])
    for f in files:
        with contextlib.suppress(OSError):
            total += os.path.getsize(f)
    return total


@functools.cache
def _ensure(python: str, need_exec: bool) -> tuple[str | None, str]:
    try:
        layout = _layout(python)
    except (OSError, ValueError, subprocess.SubprocessError, ImageError) as exc:
        return None, f"no tmpfs copy of the system files: {exc}"
    exe = layout["exe"]
    try:
        st = os.stat(exe)
    except OSError as exc:
        return None, f"no tmpfs copy of the system files: {exc}"
    quick = hashlib.sha256(
        json.dumps([FORMAT, exe, st.st_size, st.st_mtime_ns, st.st_ino, layout["version"]]).encode()
    ).hexdigest()[:16]
    stem = f"{PREFIX}{os.geteuid()}-{quick}-"
    bases = _candidates(need_exec)
    if not bases:
        return None, "no tmpfs copy of the system files: no writable, executable tmpfs (/dev/shm)"
    for base in bases:  # one made before, by this or another process
        with contextlib.suppress(OSError):
            for name in sorted(os.listdir(base)):
                if name.startswith(stem) and _manifest_ok(os.path.join(base, name)):
                    return os.path.join(base, name, "tree"), ""
    why = ""
    for base in bases:
        _remove_stale_tmp(base)
        free = os.statvfs(base)
        if free.f_bavail * free.f_frsize < 2 * _size_of(layout) + (64 << 20):
            why = f"not enough room in {base}"
            continue
        tmp = tempfile.mkdtemp(prefix=f".{PREFIX}tmp-", dir=base)
        try:
            manifest = _build(base, tmp, layout)
        except (OSError, ImageError, subprocess.SubprocessError) as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            why = f"{type(exc).__name__}: {exc}"
            continue
        digest = hashlib.sha256(json.dumps(manifest["sources"], sort_keys=True).encode()).hexdigest()[:16]
        final = os.path.join(base, stem + digest)
        os.chmod(tmp, 0o755)
        try:
            os.rename(tmp, final)
        except OSError:  # another process made it first (or someone else holds the name)
            if _manifest_ok(final):
                shutil.rmtree(tmp, ignore_errors=True)
                return os.path.join(final, "tree"), ""
            # Squatted (another user planted the name): a name of our own that later processes find
            # by its stem, never a temporary one, which another scorer's clean-up would delete in use.
            for _ in range(8):
                other = f"{final}-{secrets.token_hex(4)}"
                try:
                    os.rename(tmp, other)
                except OSError:
                    continue
                return os.path.join(other, "tree"), ""
            shutil.rmtree(tmp, ignore_errors=True)
            why = f"{final} is held by another owner and no other name could be taken"
            continue
        return os.path.join(final, "tree"), ""
    return None, f"no tmpfs copy of the system files: {why}"


def ensure(python: str, need_exec: bool) -> tuple[str | None, str]:
    """``(the image's tree, "")`` for interpreter ``python``, made if needed, or ``(None, why not)``.

    ``need_exec``: the workers cannot bind the image without ``noexec`` where its tmpfs has it (they
    are not real root), so such a tmpfs is not used. Made once per host, found once per process.
    """
    with _lock:
        where, why = _ensure(os.path.realpath(python), need_exec)
        if where is not None and not os.path.isdir(where):  # removed since (a cleaned /dev/shm)
            _ensure.cache_clear()
            where, why = _ensure(os.path.realpath(python), need_exec)
        return where, why


if __name__ == "__main__":  # pragma: no cover - make (or find) the image and say how long it took
    import sys

    started = time.perf_counter()
    where, reason = ensure(sys.executable, os.geteuid() != 0)
    print(where or reason, f"{time.perf_counter() - started:.2f} s")
