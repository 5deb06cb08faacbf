"""Build ``ontology/gazetteer.ttl`` from the ``vietnam-provinces`` package (by hand; not shipped).

The gazetteer holds the 63 provinces and 696 districts of the 2008-2025 scheme, the 34 provinces
in force from 2025-07-01, and one ``org:ChangeEvent`` per new province (Nghị quyết 202/2025/QH15).

Only ``vietnam-provinces`` >= 2026.9.0 ships what this needs: the pre-2025 data
(``vietnam_provinces.legacy``) and the ward conversion table (``_ward_conversion_2025``);
2025.10.1 has the post-2025 units only. 2026.x requires Python >= 3.12, so run this in a
throwaway environment, never in the project's venv::

    python3.12 -m venv /tmp/vp312
    /tmp/vp312/bin/pip install vietnam-provinces==2026.9.0
    /tmp/vp312/bin/python tools/build_gazetteer.py            # writes ontology/gazetteer.ttl

The package is GPL-3.0-or-later. We ship none of its code or files, only facts derived from it
(names, codes, the old-to-new mapping), and say so in the generated header.

The province mapping is derived from the ward conversion table, not from the package's
province table, which wrongly also maps Tiền Giang (82) to Tây Ninh (80) (DOMAIN.md §5.1, defect 1).
The result is asserted against the table of DOMAIN.md §4.2 (``EXPECTED_MERGERS``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "ontology" / "gazetteer.ttl"

OLD_FROM, OLD_UNTIL, NEW_FROM = "2008-08-01", "2025-06-30", "2025-07-01"
RESOLUTION = "Nghị quyết 202/2025/QH15"

#: DOMAIN.md §4.2: new province code -> old province codes merged into it.
EXPECTED_MERGERS: dict[int, set[int]] = {
    1: {1},
    4: {4},
    8: {2, 8},
    11: {11},
    12: {12},
    14: {14},
    15: {10, 15},
    19: {6, 19},
    20: {20},
    22: {22},
    24: {24, 27},
    25: {17, 25, 26},
    31: {30, 31},
    33: {33, 34},
    37: {35, 36, 37},
    38: {38},
    40: {40},
    42: {42},
    44: {44, 45},
    46: {46},
    48: {48, 49},
    51: {51, 62},
    52: {52, 64},
    56: {56, 58},
    66: {54, 66},
    68: {60, 67, 68},
    75: {70, 75},
    79: {74, 77, 79},
    80: {72, 80},
    82: {82, 87},
    86: {83, 84, 86},
    91: {89, 91},
    92: {92, 93, 94},
    96: {95, 96},
}
#: NQ 202/2025/QH15: the six centrally run cities from 2025-07-01 (28 tỉnh + 6 thành phố).
CITIES_2025 = {1, 31, 46, 48, 79, 92}
#: Names a unit was also known by in the scheme's lifetime, or that 2026 news uses.
EXTRA_NAMES: dict[tuple[str, int], list[str]] = {
    ("old", 46): ["Tỉnh Thừa Thiên Huế", "Thừa Thiên Huế"],  # a city only from 2025-01-01
    ("new", 22): ["Thành phố Quảng Ninh"],  # package 2026.9.0's objects: "Thành phố"
    ("new", 24): ["Thành phố Bắc Ninh"],
    ("new", 75): ["Thành phố Đồng Nai"],
}

_TYPES = ("Thành phố", "Tỉnh", "Quận", "Huyện", "Thị xã")
_EN_TYPE = {
    "Tỉnh": "{} Province",
    "Thành phố": "{} City",
    "Quận": "{} District",
    "Huyện": "{} District",
    "Thị xã": "{} Town",
}
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_OLD_OA = re.compile(rf"([oO])([aAeE])([{_TONES}])(?!\w)")
_OLD_UY = re.compile(rf"(?<![qQ])([uU])([yY])([{_TONES}])(?!\w)")


def modern_tones(text: str) -> str:
    """NFC text with new-style tone placement on open oa/oe/uy syllables.

    >>> modern_tones("Tỉnh Hoà Bình, Huyện Thanh Thuỷ, Quỳnh Lưu, Hoàng Mai")
    'Tỉnh Hòa Bình, Huyện Thanh Thủy, Quỳnh Lưu, Hoàng Mai'
    """
    nfd = unicodedata.normalize("NFD", text)
    nfd = _OLD_OA.sub(r"\1\3\2", nfd)
    nfd = _OLD_UY.sub(r"\1\3\2", nfd)
    return unicodedata.normalize("NFC", nfd)


def ascii_fold(text: str) -> str:
    """Strip Vietnamese diacritics; đ becomes d.

    >>> ascii_fold("Đắk Lắk")
    'Dak Lak'
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def slugify(text: str) -> str:
    """Lowercase ASCII slug with hyphens.

    >>> slugify("Bà Rịa - Vũng Tàu")
    'ba-ria-vung-tau'
    """
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")


def clean_name(name: str) -> str:
    """NFC, new-style tones, and the unit type in its usual case ("Thành Phố" -> "Thành phố").

    >>> clean_name("Thành Phố Bắc Kạn")
    'Thành phố Bắc Kạn'
    """
    name = modern_tones(" ".join(name.split()))
    for t in _TYPES:
        if name.lower().startswith(t.lower() + " "):
            return t + name[len(t) :]
    return name


def split_type(full: str) -> tuple[str, str]:
    """("Thành phố", "Phúc Yên") for "Thành phố Phúc Yên"; numeric names keep their type."""
    for t in _TYPES:
        if full.startswith(t + " "):
            short = full[len(t) + 1 :]
            return t, (full if short.isdigit() else short)
    raise ValueError(f"unknown unit type in {full!r}")


def english(full: str) -> str:
    unit_type, short = split_type(full)
    if short == full:  # "Quận 1"
        return "District " + full.split()[-1]
    return _EN_TYPE[unit_type].format(ascii_fold(short))


def lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def unit_block(
    iri: str,
    full: str,
    code: int,
    level: str,
    *,
    valid_from: str | None,
    valid_until: str | None,
    extra: list[str],
    more: list[str],
) -> str:
    _, short = split_type(full)
    lines = [
        f"{iri} a rkg:AdministrativeUnit , org:Organization ;",
        f"    skos:prefLabel {lit(full, 'vi')} ;",
        f"    rdfs:label {lit(full, 'vi')} , {lit(english(full), 'en')} ;",
        f"    rkg:name {lit(short)} ;",
        f'    rkg:code "{code}" ;',
        f"    rkg:slug {lit(slugify(short))} ;",
        f"    org:classification level:{level} ;",
    ]
    if extra:
        lines.append("    skos:altLabel " + " , ".join(lit(e, "vi") for e in extra) + " ;")
    if valid_from:
        lines.append(f'    rkg:validFrom "{valid_from}"^^xsd:date ;')
    if valid_until:
        lines.append(f'    rkg:validUntil "{valid_until}"^^xsd:date ;')
    lines.extend(f"    {m} ;" for m in more)
    lines[-1] = lines[-1][:-2] + " ."
    return "\n".join(lines) + "\n"


def load() -> tuple[
    dict[int, str], dict[int, tuple[str, int]], dict[int, str], dict[int, set[int]]
]:
    """Old provinces, old districts (name, province), new provinces, and new -> old codes."""
    try:
        import vietnam_provinces as vp
        from vietnam_provinces import _ward_conversion_2025 as wards
        from vietnam_provinces import legacy
    except ImportError as exc:
        sys.exit(f"needs vietnam-provinces>=2026.9.0 with legacy data (Python>=3.12): {exc}")
    old = {int(p.code): clean_name(p.name) for p in legacy.Province.iter_all()}
    districts = {
        int(d.code): (clean_name(d.name), int(d.province_code)) for d in legacy.District.iter_all()
    }
    # Names of the new units as the bundled JSON gives them (the 2025-07-01 state: "Tỉnh …"
    # for 22/24/75, where the 2026 Python objects say "Thành phố …").
    nested = json.loads(Path(vp.NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))
    new = {int(p["code"]): clean_name(p["name"]) for p in nested}
    # The old province of a ward row is taken from the legacy ward -> district -> province
    # tables, not from the row's own province field: row 27691 (Phường 4, Tân An, Long An 80)
    # says 82 there, which is where the package's spurious Tiền Giang -> Tây Ninh link comes from.
    ward_district = {int(w.code): int(w.district_code) for w in legacy.Ward.iter_all()}
    mapping: dict[int, set[int]] = defaultdict(set)
    targets: dict[int, set[int]] = defaultdict(set)
    for entry in wards.OLD_TO_NEW.values():
        ref = entry.old_ward
        district = ward_district.get(ref.code, ref.district_code)
        old_province = districts[district][1]
        for nw in entry.new_wards:
            mapping[nw.province_code].add(old_province)
            targets[old_province].add(nw.province_code)
    split = {o: t for o, t in targets.items() if len(t) != 1}
    assert not split, f"old provinces split across new ones: {split}"
    if wards.EFFECTIVE_DATE != NEW_FROM:
        sys.exit(f"ward table effective {wards.EFFECTIVE_DATE}, expected {NEW_FROM}")
    return old, districts, new, dict(mapping)


def check(
    old: dict[int, str], districts: dict, new: dict[int, str], mapping: dict[int, set[int]]
) -> None:
    assert len(old) == 63, len(old)
    assert len(districts) == 696, len(districts)
    assert len(new) == 34, len(new)
    assert mapping == EXPECTED_MERGERS, {
        k: (mapping.get(k), EXPECTED_MERGERS.get(k))
        for k in set(mapping) | set(EXPECTED_MERGERS)
        if mapping.get(k) != EXPECTED_MERGERS.get(k)
    }
    cities = {c for c, n in new.items() if n.startswith("Thành phố ")}
    assert cities == CITIES_2025, cities
    assert all(prov in old for _, prov in districts.values())


def render(
    old: dict[int, str],
    districts: dict[int, tuple[str, int]],
    new: dict[int, str],
    mapping: dict[int, set[int]],
    version: str,
) -> str:
    successor = {o: n for n, olds in mapping.items() for o in olds}
    out = [HEADER.format(version=version, n_old=len(old), n_dist=len(districts), n_new=len(new))]
    out.append("# --- 63 provinces, 2008-08-01 (Hà Tây merged into Hà Nội) to 2025-06-30 ---\n")
    for code, name in sorted(old.items()):
        out.append(
            unit_block(
                f"adm08p:{code}",
                name,
                code,
                "provincial",
                valid_from=OLD_FROM,
                valid_until=OLD_UNTIL,
                extra=EXTRA_NAMES.get(("old", code), []),
                more=[
                    f"dcterms:isReplacedBy adm25p:{successor[code]}",
                    f"org:changedBy event:{successor[code]}",
                ],
            )
        )
    out.append("# --- 34 provinces from 2025-07-01 ---\n")
    for code, name in sorted(new.items()):
        replaces = " , ".join(f"adm08p:{o}" for o in sorted(mapping[code]))
        out.append(
            unit_block(
                f"adm25p:{code}",
                name,
                code,
                "provincial",
                valid_from=NEW_FROM,
                valid_until=None,
                extra=EXTRA_NAMES.get(("new", code), []),
                more=[f"dcterms:replaces {replaces}", f"org:resultedFrom event:{code}"],
            )
        )
    out.append("# --- change events of the 2025 reorganization (one per new province) ---\n")
    for code, name in sorted(new.items()):
        olds = " , ".join(f"adm08p:{o}" for o in sorted(mapping[code]))
        label_vi = "Sắp xếp đơn vị hành chính cấp tỉnh năm 2025: " + name
        out.append(
            f"event:{code} a org:ChangeEvent ;\n"
            f"    rdfs:label {lit(label_vi, 'vi')} ,\n"
            f"        {lit('2025 provincial reorganization: ' + english(name), 'en')} ;\n"
            f"    org:originalOrganization {olds} ;\n"
            f"    org:resultingOrganization adm25p:{code} ;\n"
            f'    dcterms:date "{NEW_FROM}"^^xsd:date ;\n'
            f"    dcterms:source {lit(RESOLUTION)} .\n"
        )
    out.append(
        "# --- 696 districts of the January 2025 snapshot; the district level ended on "
        "2025-06-30 ---\n"
    )
    for code, (name, prov) in sorted(districts.items()):
        out.append(
            unit_block(
                f"adm08d:{code}",
                name,
                code,
                "district",
                valid_from=None,
                valid_until=OLD_UNTIL,
                extra=[],
                more=[f"dcterms:isPartOf adm08p:{prov}"],
            )
        )
    return "\n".join(out)


HEADER = """\
# reformkg gazetteer: Vietnamese administrative units before and after 2025-07-01.
# GENERATED by tools/build_gazetteer.py -- do not edit by hand.
#
# Facts (names, codes, the old-to-new province mapping) derived from the PyPI package
# vietnam-provinces {version} (GPL-3.0-or-later; data from the General Statistics Office).
# No code or data file of that package is included here.
#
# {n_old} provinces of the 2008-2025 scheme (valid 2008-08-01, after Hà Tây merged into Hà Nội, to
# 2025-06-30), {n_dist} districts of that scheme (January 2025 snapshot; no creation dates, all end
# 2025-06-30 with the district level), {n_new} provinces from 2025-07-01 (Nghị quyết 202/2025/QH15),
# and one org:ChangeEvent per new province. The province mapping comes from the ward conversion
# table (each old province lies wholly in one new one) and is asserted against DOMAIN.md §4.2.
# Codes are GSO codes without leading zeros; they mean nothing without the scheme in the IRI.
# Names are NFC with new-style tone placement (Hòa, Thủy).

@prefix rkg:     <https://w3id.org/reformkg/def#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix level:   <https://w3id.org/reformkg/id/level/> .
@prefix adm08p:  <https://w3id.org/reformkg/id/adm/2008-2025/province/> .
@prefix adm08d:  <https://w3id.org/reformkg/id/adm/2008-2025/district/> .
@prefix adm25p:  <https://w3id.org/reformkg/id/adm/2025/province/> .
@prefix event:   <https://w3id.org/reformkg/id/event/2025-reorganization/province/> .
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    import vietnam_provinces as vp

    old, districts, new, mapping = load()
    check(old, districts, new, mapping)
    text = unicodedata.normalize("NFC", render(old, districts, new, mapping, vp.__version__))
    args.output.write_text(text, encoding="utf-8")
    sys.stderr.write(
        f"wrote {args.output}: {len(old)} + {len(new)} provinces, "
        f"{len(districts)} districts, {len(new)} change events\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
