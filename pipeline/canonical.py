"""Canonical unit names, unit functions and indicator families (README "Comparing plans").

The tables are data: ``pipeline/data/unit_aliases.yaml`` (agencies, their aliases and
functions, collective units) and ``pipeline/data/indicator_families.yaml``. Users extend
them with files of the same shape named in the ``POLICY_PIPELINE_ALIASES`` and
``POLICY_PIPELINE_FAMILIES`` environment variables (``policy-pipeline run --aliases FILE
--families FILE`` sets them, so worker processes see them too); their entries are tried
before the shipped ones.

A printed unit name is read as ``[collective head][place or level word][alias]``; the
level word becomes the document's region at that level, decomposed with cpca's gazetteer
(the one ``pipeline.fields`` reads regions with): ``市质监局`` in a 张掖市 plan is
``张掖市质量技术监督局``, in a 师宗县 plan ``曲靖市质量技术监督局``.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from pipeline.data import data_path, parse_yaml

ALIASES_ENV = "POLICY_PIPELINE_ALIASES"
FAMILIES_ENV = "POLICY_PIPELINE_FAMILIES"
PLACE = "{place}"  # where a canonical name puts its place, when not in front
LEVEL_SLOT = "*"  # where an alias takes its level word (团*委)


class TableError(ValueError):
    """A user table that cannot be read or has entries of the wrong shape."""


# ---------------------------------------------------------------- tables


def _user_files(env: str) -> tuple[str, ...]:
    return tuple(p for p in os.environ.get(env, "").split(os.pathsep) if p)


def _read(path: Path | str) -> dict[str, Any]:
    try:
        data = parse_yaml(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise TableError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise TableError(f"{path}: expected a mapping of table names at the top")
    return data


def _merged(shipped: str, user_files: tuple[str, ...]) -> dict[str, Any]:
    """User files over the shipped table: their list entries come first (tried
    first), their mapping entries replace the shipped ones."""
    merged: dict[str, Any] = {}
    for path in (*user_files, data_path(shipped)):
        for key, value in _read(path).items():
            if isinstance(value, list):
                merged[key] = merged.get(key, []) + value
            elif isinstance(value, dict):
                merged[key] = {**value, **merged.get(key, {})}
            else:
                raise TableError(f"{path}: `{key}` must be a list or a mapping")
    return merged


def _key(text: str) -> str:
    """Names are compared after NFKC (（→( ) and without whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class Entry:
    canonical: str | None  # None for endings: the printed name is kept
    function: str | None
    collective: bool


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per set of files (cached)
class UnitTable:
    levels: dict[str, str]  # level word -> province | city | county
    heads: tuple[str, ...]  # collective heads, longest first
    aliases: dict[str, tuple[Entry, str | None]]  # alias -> (entry, level word written inside it)
    endings: tuple[tuple[str, Entry], ...]  # longest first


def _entry(raw: Any, field: str) -> Entry:
    if not isinstance(raw, dict) or not isinstance(raw.get(field), (str, list)):
        raise TableError(f"unit alias entry {raw!r} needs `{field}`")
    return Entry(raw.get("canonical"), raw.get("function"), bool(raw.get("collective", False)))


@functools.cache
def _unit_table(user_files: tuple[str, ...]) -> UnitTable:
    raw = _merged("unit_aliases.yaml", user_files)
    levels = {_key(k): v for k, v in raw.get("levels", {}).items()}
    aliases: dict[str, tuple[Entry, str | None]] = {}
    for item in raw.get("agencies", []):
        entry = _entry(item, "aliases")
        if not entry.canonical:
            raise TableError(f"unit alias entry {item!r} needs `canonical`")
        for alias in map(_key, item["aliases"]):
            if LEVEL_SLOT in alias:
                for word in levels:
                    aliases.setdefault(alias.replace(LEVEL_SLOT, word), (entry, word))
            else:
                aliases.setdefault(alias, (entry, None))
    endings = [(_key(item["ending"]), _entry(item, "ending")) for item in raw.get("endings", [])]
    return UnitTable(
        levels=levels,
        heads=tuple(sorted(map(_key, raw.get("collective_heads", [])), key=len, reverse=True)),
        aliases=aliases,
        endings=tuple(sorted(endings, key=lambda e: len(e[0]), reverse=True)),
    )


@dataclass(frozen=True)
class Family:
    family: str
    contains: tuple[str, ...]
    units: frozenset[str]


@dataclass(frozen=True, eq=False)  # hashed by identity, like UnitTable
class FamilyTable:
    families: tuple[Family, ...]


@functools.cache
def _family_table(user_files: tuple[str, ...]) -> FamilyTable:
    families = []
    for item in _merged("indicator_families.yaml", user_files).get("families", []):
        if not isinstance(item, dict) or not item.get("family") or not item.get("contains"):
            raise TableError(f"indicator family {item!r} needs `family` and `contains`")
        families.append(Family(item["family"], tuple(item["contains"]), frozenset(item.get("units") or ())))
    return FamilyTable(tuple(families))


def unit_table() -> UnitTable:
    return _unit_table(_user_files(ALIASES_ENV))


def family_table() -> FamilyTable:
    return _family_table(_user_files(FAMILIES_ENV))


def use(aliases: Iterable[str] = (), families: Iterable[str] = ()) -> None:
    """Put user tables in effect, before any named in the environment already: they are
    named in the environment, so the worker processes a run starts see them too.
    Raises TableError if a table cannot be used."""
    for env, files in ((ALIASES_ENV, aliases), (FAMILIES_ENV, families)):
        files = [str(Path(f).resolve()) for f in files]
        if files:
            os.environ[env] = os.pathsep.join([*files, *_user_files(env)])
    unit_table()
    family_table()


def fingerprint() -> bytes:
    """A digest of the tables in effect (shipped plus user files), so that a
    resumed run redoes the batches an edited user table would change."""
    tables = [_merged(name, _user_files(env)) for name, env in
              (("unit_aliases.yaml", ALIASES_ENV), ("indicator_families.yaml", FAMILIES_ENV))]
    return hashlib.sha256(json.dumps(tables, ensure_ascii=False, sort_keys=True).encode("utf-8")).digest()


# ---------------------------------------------------------------- regions


def _gazetteer(text: str) -> dict:
    from pipeline.fields import gazetteer_lookup  # here: pipeline.fields imports the extractors, which import this

    return gazetteer_lookup(text)


@dataclass(frozen=True)
class Region:
    name: str  # as in documents.region: 张掖市, 师宗县, 上海市虹口区
    province: str | None
    city: str | None  # the prefecture; for a municipality (上海市) the municipality itself
    county: str | None  # county, district or county-level city
    level: str | None  # province (incl. municipalities), city, county or district

    def spell(self, area: str | None) -> str | None:
        """An area of this region, spelt as the document spells its own region
        when it is that area (上海市虹口区, not 虹口区)."""
        most_specific = self.county or self.city or self.province
        return self.name if area is not None and area == most_specific else area

    def at(self, level: str) -> str | None:
        """The area of this region at a level word's level."""
        if level == "city" and self.county and self.county.endswith("市"):
            level = "county"  # 市 in a county-level city's plan (新密市) is that city
        return self.spell({"province": self.province, "city": self.city, "county": self.county}.get(level))


@functools.lru_cache(maxsize=4096)
def region_parts(region: str | None) -> Region | None:
    """A document's region decomposed into its province, prefecture and county."""
    if not isinstance(region, str) or not region:
        return None
    place = _gazetteer(region)
    province, city, county = (place.get(k) if isinstance(place.get(k), str) else None for k in ("省", "市", "区"))
    if province is None:
        return Region(region, None, None, None, None)
    if city in (None, "市辖区") and province.endswith("市"):
        city = province  # a municipality is its own prefecture
    if county:
        level = "district" if county.endswith("区") else "county"
    elif city and city != province:
        level = "city"
    else:
        level = "province"
    return Region(region, province, city, county, level)


@functools.lru_cache(maxsize=4096)
def _admin_area(prefix: str) -> str | None:
    """The full name of the area `prefix` names on its own (张掖 → 张掖市), else None."""
    place = _gazetteer(prefix)
    for key in ("区", "市", "省"):
        name = place.get(key)
        if isinstance(name, str) and name != "市辖区" and name.startswith(prefix):
            return name if len(prefix) >= 2 else None
    return None


# ---------------------------------------------------------------- units


def _stem(area: str, levels: dict[str, str]) -> str:
    """An area's name without its level word: 虹口区 → 虹口, 张掖市 → 张掖."""
    word = next((w for w in sorted(levels, key=len, reverse=True) if area.endswith(w)), "")
    return area[: len(area) - len(word)] if len(area) - len(word) >= 2 else area


def _place(prefix: str, region: Region | None, levels: dict[str, str]) -> str | None:
    """The area a name's prefix stands for: the document's region for no
    prefix, its area at a level word's level (the level word itself when the
    region does not reach that level), or a place name (虹口, 曲靖市); None if
    the prefix is not a place."""
    if not prefix:
        return region.name if region else ""
    if prefix in levels:
        return (region.at(levels[prefix]) if region else None) or prefix
    if region:
        for area in (region.county, region.city, region.province):
            if area and prefix in (area, _stem(area, levels)):
                return region.spell(area)
    area = _admin_area(prefix)
    return region.spell(area) if region and area else area


def _expand(core: str, head: str, region: Region | None, levels: dict[str, str]) -> str:
    """A name no alias covers, its leading level word replaced by its area
    (市应急委成员单位 → 广州市应急委成员单位); a collective one (各区) is
    placed in the document's region."""
    mark = "各" if head else ""
    for word in sorted(levels, key=len, reverse=True):
        if core.startswith(word) and len(core) > len(word):
            return _place(word, region, levels) + mark + core[len(word):]
    return (region.name if region and head else "") + mark + core


def canonical_unit(name: str, region: str | None, table: UnitTable | None = None) -> dict[str, Any]:
    """unit_canonical, unit_function and unit_collective of one printed unit name
    (``table``: the unit_table() in effect, fetched once by a caller with many names)."""
    canonical, function, collective = _canonical_unit(name, region, table or unit_table())
    return {"unit_canonical": canonical, "unit_function": function, "unit_collective": collective}


@functools.lru_cache(maxsize=65536)  # names repeat across a corpus
def _canonical_unit(name: str, region: str | None, table: UnitTable) -> tuple[str, str | None, bool]:
    parts = region_parts(region)
    text = _key(name)
    head = next((h for h in table.heads if text.startswith(h) and len(text) > len(h)), "")
    core = text[len(head):]
    for split in range(len(core) - 1):
        hit = table.aliases.get(core[split:])
        if hit is None:
            continue
        entry, inside = hit
        if inside and split:
            continue
        place = _place(inside or core[:split], parts, table.levels)
        if place is None:
            continue
        canonical = (entry.canonical.replace(PLACE, place) if PLACE in entry.canonical
                     else place + ("各" if head else "") + entry.canonical)
        return canonical, entry.function, bool(head) or entry.collective
    entry = next((e for ending, e in table.endings if core.endswith(ending)), Entry(None, None, False))
    return _expand(core, head, parts, table.levels), entry.function, bool(head) or entry.collective


# ---------------------------------------------------------------- targets


def indicator_family(indicator: str | None, unit: str | None, table: FamilyTable | None = None) -> str | None:
    """The first family whose words occur in the indicator (and whose units,
    if it lists any, include the target's unit); ``table`` as in canonical_unit."""
    return _indicator_family(indicator, unit, table or family_table()) if indicator else None


@functools.lru_cache(maxsize=65536)  # indicators repeat across a corpus
def _indicator_family(indicator: str, unit: str | None, table: FamilyTable) -> str | None:
    for family in table.families:
        if any(word in indicator for word in family.contains) and (not family.units or unit in family.units):
            return family.family
    return None
