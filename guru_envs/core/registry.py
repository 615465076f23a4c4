"""The catalog: environment manifests, versioned task families, and ``data_source`` routing.

Every environment is declared by a manifest: a TOML file beside its code (``guru_envs/<domain>/manifest.toml``
for the built-in domains, a file inside the package for a plugin). The catalog reads manifests (cheap: no
family module is imported), registers their ids with Gymnasium, and imports a family's module only when
that family is first used. GURU rows are routed to a verifier by the longest registered ``data_source``
prefix: a lookup, never an if/elif chain.

Versions belong to families. A family listed twice with different ``version`` numbers is registered at
both (``guru/Logic.zebra-v0`` and ``guru/Logic.zebra-v1``); an older version marked ``retired`` keeps its
id, and making it raises Gymnasium's ``DeprecatedEnv`` with the reason, as Gymnasium does for its own
retired ids. Domain ids (``guru/Math-v0``) carry the version of the domain's default mix.
"""

from __future__ import annotations

import difflib
import importlib
import re
import threading
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from guru_envs.core.family import TaskFamily

if TYPE_CHECKING:
    from guru_envs.core.task import Task

NAMESPACE = "guru"
MANIFEST_FILE = "manifest.toml"
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SELECTOR_RE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:-v(?P<version>\d+))?$")


class RetiredFamily(ValueError):
    """A family version that was retired; the message says why and what to use instead."""


class FamilySpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One version of a task family of an environment.

    Attributes:
        name: short name, unique in its domain (``zebra``); the verifier is ``domain.name``.
        entry_point: ``module:Class`` of the :class:`TaskFamily` subclass, imported at first use.
        version: bumped whenever a seed makes a different task or a response gets a different score;
            the single-family id is ``<Domain>.<name>-v<version>``. Several versions may be listed.
        retired: empty while the version is served; otherwise why it was retired and what replaces it
            (its id stays registered and raises a deprecation error naming this text).
        description: one line for ``guru info``.
        data_sources: GURU ``data_source`` prefixes this family scores (longest prefix wins).
        generator: False for verifier-only families that score dataset rows.
        in_default_mix: False keeps a generator out of the domain env's default mixture (real
            benchmarks such as HumanEval or ARC-AGI, which one should not train on by accident); it is
            still served by its own id and by name.
        domain: filled in from the manifest.
    """

    name: str
    entry_point: str
    version: int = 0
    retired: str = ""
    description: str = ""
    data_sources: list[str] = msgspec.field(default_factory=list)
    generator: bool = True
    in_default_mix: bool = True
    domain: str = ""

    @property
    def canonical_source(self) -> str:
        """The ``data_source`` written into exported rows."""
        return self.data_sources[0] if self.data_sources else f"guru__{self.domain}__{self.name}"


class VersionNote(msgspec.Struct, forbid_unknown_fields=True):
    """One entry of an environment's version history."""

    version: int
    notes: str


class EnvManifest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Everything the catalog knows about an environment, before any of its code is imported.

    ``entry_point`` names the env class ``gym.make`` builds. A plugin may point it at a
    :class:`~guru_envs.core.env.GuruEnv` subclass whose ``source_class`` changes how tasks are drawn;
    the env, the sampler, held-out splits, worked examples and export all draw through that class.
    """

    id: str
    domain: str
    title: str
    description: str
    ability: str
    answer_format: str
    license: str
    families: list[FamilySpec]
    entry_point: str = "guru_envs.core.env:GuruEnv"
    homepage: str = ""
    maintainer: str = ""
    source: str = "guru-envs"
    version_history: list[VersionNote] = msgspec.field(default_factory=list)

    @property
    def version(self) -> int:
        """The ``-vN`` number of the id."""
        return int(self.id.rsplit("-v", 1)[1])

    @property
    def base(self) -> str:
        """The id without its version (``guru/Logic``)."""
        return self.id.rpartition("-v")[0]

    def family_id(self, spec: FamilySpec) -> str:
        """The single-family id of one family version (``guru/Logic.zebra-v0``)."""
        return f"{self.base}.{spec.name}-v{spec.version}"

    def family_env_ids(self) -> dict[str, FamilySpec]:
        """Every single-family id, each version (retired ones included), of each generator family."""
        return {self.family_id(f): f for f in self.families if f.generator}

    def family_ids(self) -> dict[str, str]:
        """The single-family id of the current version of each generator family, by family name."""
        return {f.name: self.family_id(f) for f in current_versions(self.families) if f.generator}


def current_versions(specs: list[FamilySpec]) -> list[FamilySpec]:
    """The highest served (not retired) version of each family, in the order the names first appear."""
    best: dict[str, FamilySpec] = {}
    for spec in specs:
        if not spec.retired and (spec.name not in best or spec.version > best[spec.name].version):
            best[spec.name] = spec
    return list(best.values())


def parse_manifest(data: bytes | str | dict[str, Any], origin: str = "<manifest>") -> EnvManifest:
    """Validate a manifest (TOML text or an already-parsed dict); errors name ``origin`` and the field."""
    try:
        raw = (
            tomllib.loads(data.decode() if isinstance(data, bytes) else data)
            if not isinstance(data, dict)
            else data
        )
        manifest = msgspec.convert(raw, EnvManifest)
    except (tomllib.TOMLDecodeError, msgspec.ValidationError, UnicodeDecodeError) as exc:
        raise ValueError(f"invalid manifest {origin}: {exc}") from None
    if "/" not in manifest.id or "-v" not in manifest.id or not manifest.id.rsplit("-v", 1)[1].isdigit():
        raise ValueError(f"invalid manifest {origin}: id {manifest.id!r} must look like 'namespace/Name-v0'")
    if not NAME_RE.match(manifest.domain) or manifest.domain != manifest.domain.lower():
        raise ValueError(f"invalid manifest {origin}: domain {manifest.domain!r} must be a lower-case name")
    keys = [(f.name, f.version) for f in manifest.families]
    if not keys or len(set(keys)) != len(keys):
        raise ValueError(f"invalid manifest {origin}: families must be non-empty, each name and version once")
    for family in manifest.families:
        family.domain = manifest.domain
        if not NAME_RE.match(family.name):
            raise ValueError(f"invalid manifest {origin}: family name {family.name!r} must be an identifier")
        if family.version < 0:
            raise ValueError(f"invalid manifest {origin}: family {family.name!r} has a negative version")
        if ":" not in family.entry_point:
            raise ValueError(
                f"invalid manifest {origin}: family {family.name!r} entry_point needs 'module:Class'"
            )
    for name in {f.name for f in manifest.families}:
        if not any(f.name == name and not f.retired for f in manifest.families):
            raise ValueError(f"invalid manifest {origin}: every version of family {name!r} is retired")
    return manifest


def builtin_manifest_paths() -> list[Path]:
    """The manifest of every built-in domain: ``guru_envs/<domain>/manifest.toml``."""
    package = Path(__file__).resolve().parents[1]
    return sorted(package.glob(f"*/{MANIFEST_FILE}"))


def builtin_manifest_dir() -> Path:
    """Deprecated: built-in manifests now live beside their code; see :func:`builtin_manifest_paths`."""
    import warnings

    warnings.warn(
        "builtin_manifest_dir() is deprecated: each built-in domain's manifest is "
        "guru_envs/<domain>/manifest.toml (use builtin_manifest_paths())",
        DeprecationWarning,
        stacklevel=2,
    )
    return Path(__file__).resolve().parents[1]


def import_entry_point(entry_point: str) -> Any:
    """The object named by ``module:attr``."""
    module_name, _, attr = entry_point.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def one_family(env_id: str, family: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The keywords of a single-family id's env or source: ``families`` fixed to ``[family]``.

    A ``families=`` of the caller is refused: it would serve other families under the id's name
    (Gymnasium merges ``make``'s keywords over the registered ones). A dataset's rows name their own.
    """
    if kwargs.get("families") is not None:
        raise ValueError(f"{env_id} serves one family; give families only with a domain id")
    out = {k: v for k, v in kwargs.items() if k != "families"}
    if out.get("dataset") is None:
        out["families"] = [family]
    return out


def family_env(env_id: str, env_class: str, domain: str, family: str, **kwargs: Any) -> Any:
    """The entry point of a single-family id: its domain's env class serving that one family."""
    return import_entry_point(env_class)(domain=domain, **one_family(env_id, family, kwargs))


def retired_env(env_id: str, reason: str, **_: Any) -> Any:
    """The entry point of a retired id: raise Gymnasium's ``DeprecatedEnv`` with the reason."""
    import gymnasium as gym

    raise gym.error.DeprecatedEnv(f"{env_id} is retired: {reason}")


def parse_selector(selector: str) -> tuple[str, int | None]:
    """``"zebra"`` -> ("zebra", None); ``"zebra-v1"`` -> ("zebra", 1).

    Raises:
        ValueError: when ``selector`` is neither.
    """
    match = SELECTOR_RE.match(selector) if isinstance(selector, str) else None
    if match is None:
        raise ValueError(f"{selector!r} is not a family name (e.g. 'zebra' or 'zebra-v1')")
    version = match.group("version")
    return match.group("name"), int(version) if version is not None else None


class Catalog:
    """All known environments, family versions and routes; one per process (:func:`catalog`)."""

    def __init__(self) -> None:
        self.envs: dict[str, EnvManifest] = {}
        self._ids: dict[str, tuple[EnvManifest, FamilySpec | None]] = {}  # every id, main and single-family
        self._domains: dict[str, EnvManifest] = {}
        self._families: dict[tuple[str, str], dict[int, FamilySpec]] = {}
        self._routes: dict[str, tuple[str, str]] = {}  # prefix -> (domain, family)
        self._instances: dict[tuple[str, str, int | None, str], TaskFamily] = {}  # version None: current
        self._lock = threading.Lock()
        self.errors: dict[str, str] = {}  # source -> why it could not be loaded

    # --- registration ---------------------------------------------------------------------------------
    def add(self, manifest: EnvManifest) -> None:
        """Register a manifest: its env ids with Gymnasium, its family versions, its ``data_source`` routes.

        Raises:
            ValueError: on a clash with an id, a family version or a route that is already registered.
        """
        import gymnasium as gym

        family_ids = manifest.family_env_ids()
        for env_id in [manifest.id, *family_ids]:
            if env_id in self._ids or env_id in gym.registry:
                owner = self._ids[env_id][0].source if env_id in self._ids else "another package"
                raise ValueError(
                    f"environment id {env_id!r} from {manifest.source} clashes with one from {owner}"
                )
        for family in manifest.families:
            key = (manifest.domain, family.name)
            if family.version in self._families.get(key, {}):
                raise ValueError(
                    f"family {manifest.domain}.{family.name} v{family.version} from {manifest.source} "
                    "is already registered"
                )
            for prefix in family.data_sources:
                owner = self._routes.get(prefix)
                if owner is not None and owner != key:
                    raise ValueError(
                        f"data_source prefix {prefix!r} of {manifest.domain}.{family.name} is already claimed "
                        f"by {owner[0]}.{owner[1]}"
                    )
        self.envs[manifest.id] = manifest
        added = {(manifest.domain, f.name) for f in manifest.families}
        with self._lock:  # "the current version" of these families may now be a newer one
            for key in [k for k in self._instances if k[2] is None and k[:2] in added]:
                del self._instances[key]
        self._ids[manifest.id] = (manifest, None)
        for env_id, spec in family_ids.items():
            self._ids[env_id] = (manifest, spec)
        self._domains.setdefault(manifest.domain, manifest)
        for family in manifest.families:
            self._families.setdefault((manifest.domain, family.name), {})[family.version] = family
            for prefix in family.data_sources:
                self._routes[prefix] = (manifest.domain, family.name)
        gym.register(id=manifest.id, entry_point=manifest.entry_point, kwargs={"domain": manifest.domain})
        for env_id, spec in family_ids.items():
            if spec.retired:
                gym.register(
                    id=env_id,
                    entry_point="guru_envs.core.registry:retired_env",
                    kwargs={"env_id": env_id, "reason": spec.retired},
                )
            else:
                gym.register(
                    id=env_id,
                    entry_point="guru_envs.core.registry:family_env",
                    kwargs={
                        "env_id": env_id,
                        "env_class": manifest.entry_point,
                        "domain": manifest.domain,
                        "family": f"{spec.name}-v{spec.version}",
                    },
                )

    def load_paths(self, paths: list[Path]) -> None:
        """Add each manifest file; a bad one is recorded in :attr:`errors`, not raised."""
        for path in paths:
            origin = f"{path.parent.name}/{path.name}"
            try:
                self.add(parse_manifest(path.read_bytes(), origin=origin))
            except ValueError as exc:
                self.errors[origin] = str(exc)

    # --- ids -------------------------------------------------------------------------------------------
    def resolve_family(self, env_id: str) -> tuple[EnvManifest, FamilySpec | None]:
        """The manifest behind an id, and the family version of a single-family id (None for a domain id).

        Raises:
            KeyError: for an unknown id, with close matches.
        """
        try:
            return self._ids[env_id]
        except KeyError:
            close = difflib.get_close_matches(env_id, list(self._ids), n=3)
            hint = f"; did you mean {close}?" if close else ""
            raise KeyError(f"{env_id!r} is not a registered environment id{hint} (see `guru list`)") from None

    def resolve(self, env_id: str) -> tuple[EnvManifest, str | None]:
        """The manifest behind an id, and the family name of a single-family id (None for a domain id)."""
        manifest, spec = self.resolve_family(env_id)
        return manifest, spec.name if spec is not None else None

    # --- domains ---------------------------------------------------------------------------------------
    def _unknown_domain(self, name: str) -> KeyError:
        if isinstance(name, str) and name.lower() in self._domains:
            return KeyError(f"unknown domain {name!r}: domains are lower-case, use {name.lower()!r}")
        return KeyError(f"unknown domain {name!r}; known: {sorted(self._domains)}")

    def domain(self, name: str) -> EnvManifest:
        """The manifest of a domain's main environment."""
        try:
            return self._domains[name]
        except (KeyError, TypeError):
            raise self._unknown_domain(name) from None

    def find_domain(self, name: str) -> EnvManifest | None:
        """The domain's manifest, or None when no installed manifest declares it."""
        return self._domains.get(name)

    def domains(self) -> list[str]:
        """Registered domain names."""
        return list(self._domains)

    # --- families --------------------------------------------------------------------------------------
    def versions(self, domain: str, name: str) -> dict[int, FamilySpec]:
        """Every registered version of ``domain.name`` (retired ones included)."""
        if domain not in self._domains:
            raise self._unknown_domain(domain)
        found = self._families.get((domain, name))
        if not found:
            known = sorted({n for d, n in self._families if d == domain})
            raise KeyError(f"unknown task family {domain}.{name}; {domain} has {known}")
        return dict(sorted(found.items()))

    def family_spec(self, domain: str, name: str, version: int | None = None) -> FamilySpec:
        """The spec of ``domain.name`` at ``version`` (default: its current version).

        Raises:
            KeyError: for an unknown domain, family or version.
        """
        versions = self.versions(domain, name)
        if version is None:
            return max((s for s in versions.values() if not s.retired), key=lambda s: s.version)
        if version not in versions:
            raise KeyError(f"{domain}.{name} has no version {version}; registered: {sorted(versions)}")
        return versions[version]

    def find_family_spec(self, domain: str, name: str) -> FamilySpec | None:
        """The current spec of ``domain.name``, or None when it is not registered here."""
        try:
            return self.family_spec(domain, name)
        except KeyError:
            return None

    def families(self, domain: str, generators_only: bool = False) -> list[FamilySpec]:
        """The current version of each family of a domain, in manifest order."""
        if domain not in self._domains:
            raise self._unknown_domain(domain)
        specs = [s for (d, _), versions in self._families.items() if d == domain for s in versions.values()]
        return [f for f in current_versions(specs) if f.generator or not generators_only]

    def default_families(self, domain: str) -> list[str]:
        """The generator families a domain env mixes when no ``families`` are given."""
        return [f.name for f in self.families(domain, generators_only=True) if f.in_default_mix]

    def family(self, domain: str, name: str, /, *, version: int | None = None, **options: Any) -> TaskFamily:
        """A family instance built with ``options`` (imported at first use, cached per version and options).

        Raises:
            KeyError: unknown domain, family or version.
            RetiredFamily: the version is retired.
            ImportError, TypeError: the family cannot be built (bad entry point, bad options).
        """
        key = (domain, name, version, repr(sorted(options.items())))
        cached = self._instances.get(key)  # the hot path of every score() call: one dict lookup
        if cached is not None:
            return cached
        spec = self.family_spec(domain, name, version)
        if spec.retired:
            current = self.family_spec(domain, name)
            raise RetiredFamily(
                f"{domain}.{name} v{spec.version} is retired: {spec.retired} (current: v{current.version})"
            )
        try:
            cls = import_entry_point(spec.entry_point)
        except Exception as exc:
            source = self._domains[domain].source if domain in self._domains else "?"
            raise ImportError(
                f"task family {domain}.{name} (from {source}) failed to import {spec.entry_point}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if not (isinstance(cls, type) and issubclass(cls, TaskFamily)):
            raise TypeError(f"{spec.entry_point} is not a TaskFamily subclass")
        if (getattr(cls, "domain", None), getattr(cls, "name", None)) != (domain, name):
            raise TypeError(
                f"{spec.entry_point} declares {getattr(cls, 'domain', None)}.{getattr(cls, 'name', None)} "
                f"but its manifest registers it as {domain}.{name}"
            )
        instance = cls(**options)
        instance.version = spec.version
        with self._lock:
            self._instances.setdefault(key, instance)
            return self._instances[key]

    def family_for(self, task: Task) -> TaskFamily:
        """The family instance that scores ``task``: its domain, family, version and options."""
        return self.family(task.domain, task.family, version=task.version, **task.options)

    def route(self, data_source: str) -> FamilySpec:
        """The family (current version) that scores rows of ``data_source``: the longest prefix wins.

        Raises:
            ValueError: when no registered prefix matches.
        """
        for end in range(len(data_source), 0, -1):
            owner = self._routes.get(data_source[:end])
            if owner is not None:
                return self.family_spec(*owner)
        raise ValueError(
            f"no verifier claims data_source {data_source!r} (known prefixes: {sorted(self._routes)})"
        )


PLUGIN_GROUP = "guru_envs.environments"


def load_plugins(cat: Catalog) -> None:
    """Add the manifests that installed packages declare in the ``guru_envs.environments`` entry-point group.

    An entry point's value is either ``package:file.toml`` (a manifest file inside the package, read
    without importing the package, so plugins cost nothing until used) or ``module:attr`` naming an
    :class:`EnvManifest`, a dict or a TOML string (imported now). A plugin that fails is recorded in
    ``cat.errors`` under its name; it never stops the others or the built-in environments.
    """
    from importlib.metadata import entry_points
    from importlib.util import find_spec

    for ep in entry_points(group=PLUGIN_GROUP):
        package = ep.dist.name if ep.dist is not None else ep.module
        origin = f"plugin {ep.name!r} ({package})"
        try:
            if ep.attr and ep.attr.endswith(".toml"):
                spec = find_spec(ep.module)
                if spec is None or not spec.submodule_search_locations:
                    raise ValueError(f"package {ep.module!r} not found")
                path = Path(next(iter(spec.submodule_search_locations))) / ep.attr
                manifest = parse_manifest(path.read_bytes(), origin=origin)
            else:
                obj = ep.load()
                manifest = obj if isinstance(obj, EnvManifest) else parse_manifest(obj, origin=origin)
            if manifest.id != ep.name:
                raise ValueError(
                    f"entry point is named {ep.name!r} but the manifest declares {manifest.id!r}"
                )
            manifest.source = package
            cat.add(manifest)
        except Exception as exc:  # a broken plugin must not take the catalog down
            cat.errors[origin] = f"{type(exc).__name__}: {exc}"


_catalog: Catalog | None = None
_catalog_lock = threading.Lock()


def catalog() -> Catalog:
    """The process-wide catalog, filled with the built-in manifests (and plugins) at first use."""
    global _catalog
    with _catalog_lock:
        if _catalog is None:
            cat = Catalog()
            cat.load_paths(builtin_manifest_paths())
            load_plugins(cat)
            _catalog = cat
        return _catalog


def register(manifest: EnvManifest | dict[str, Any] | str | Path, source: str | None = None) -> EnvManifest:
    """Add an environment to the process-wide catalog (and Gymnasium) at run time.

    Args:
        manifest: an :class:`EnvManifest`, its dict, TOML text, or the path of a ``.toml`` file.
        source: who provides it (shown by ``guru list``; default: the manifest's own ``source``).

    Returns:
        The registered manifest.

    Raises:
        ValueError: when the manifest is invalid or clashes with a registered id, family or route.
    """
    if isinstance(manifest, Path) or (isinstance(manifest, str) and manifest.endswith(".toml")):
        path = Path(manifest)
        manifest = parse_manifest(path.read_bytes(), origin=str(path))
    elif not isinstance(manifest, EnvManifest):
        manifest = parse_manifest(manifest)
    if source is not None:
        manifest.source = source
    catalog().add(manifest)
    return manifest
