"""A synthetic corpus of Vietnamese provincial reports on administrative reform, with known facts.

    python bench/generate.py -n 10000 -o /tmp/corpus.jsonl --gold /tmp/corpus.facts.jsonl
    python bench/generate.py -n 20 --seed 7 -o - | head -c 2000     # a look at the text

Every report is written from templates of our own (no sentence of any real report): a province
from ``ontology/gazetteer.ttl`` (the 63 provinces up to 2025-06-30, the 34 from 2025-07-01), a
report period (month, quarter, half-year, nine months, year), a date line, and paragraphs on
dossiers, plan tasks, announced procedures, digitisation, connections to the national systems
(``ontology/systems.ttl``), feedback, the reform indexes and next year's targets, between
paragraphs of narrative without numbers. Sentence structure, connectives and the order of the
paragraphs vary; a report is about 7 KB of UTF-8 on average.

The numbers of one province and period are drawn from a generator seeded by (seed, province,
period), so two reports on the same province and period agree, as real outlets mostly do; a small
share of reports (``--error-rate``) carry a deliberate inconsistency (parts that do not add up, a
rate that does not match its fraction, a value that differs from the other reports) for the
validation to find.

Outputs: the corpus as JSONL (``{"id", "text", "date", "title"}`` a line) and, with ``--gold``,
the facts written into each report in the format of ``examples/gold/*.facts.jsonl`` (one JSON
object a line, with the report's ``id``; offsets are code points into ``text``). ``--connections``
writes the system connections the same way (``examples/gold/*.connections.jsonl``).

Seeded: the same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

__all__ = ["Report", "generate", "main", "provinces"]

SYSTEM = "https://w3id.org/reformkg/id/system/"

# ------------------------------------------------------------------------------------------------
# Places and periods
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Province:
    name: str  # "Lạng Sơn"
    kind: str  # "tỉnh" or "thành phố"
    slug: str
    scheme: str  # "2008-2025" or "2025"


@lru_cache(maxsize=1)
def provinces() -> tuple[Province, ...]:
    """The provinces of both schemes, read from the gazetteer (names only; no text copied)."""
    import pyoxigraph as ox

    from ontology import GAZETTEER

    rows: dict[str, dict[str, str]] = {}
    for t in ox.parse(path=str(GAZETTEER), format=ox.RdfFormat.TURTLE):
        s = t.subject.value
        if "/province/" not in s:
            continue
        p = t.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if p in ("name", "slug", "prefLabel"):
            rows.setdefault(s, {})[p] = t.object.value
    out = []
    for iri, r in sorted(rows.items()):
        kind = "thành phố" if r["prefLabel"].lower().startswith("thành phố") else "tỉnh"
        scheme = "2025" if "/adm/2025/" in iri else "2008-2025"
        out.append(Province(r["name"], kind, r["slug"], scheme))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Period:
    kind: str  # "Q", "H1", "9M", "Y", "M"
    year: int
    n: int = 0  # quarter or month

    @property
    def label(self) -> str:
        if self.kind == "Q":
            return f"{self.year}-Q{self.n}"
        if self.kind == "H1":
            return f"{self.year}-H1"
        if self.kind == "9M":
            return f"{self.year}-01-01/{self.year}-09-30"
        if self.kind == "M":
            return f"{self.year}-{self.n:02d}"
        return str(self.year)

    @property
    def end(self) -> date:
        if self.kind == "Q":
            m = self.n * 3
        elif self.kind == "H1":
            m = 6
        elif self.kind == "9M":
            m = 9
        elif self.kind == "M":
            m = self.n
        else:
            m = 12
        nxt = date(self.year + (m == 12), m % 12 + 1, 1)
        return nxt - timedelta(days=1)

    @property
    def months(self) -> int:
        return {"Q": 3, "H1": 6, "9M": 9, "M": 1, "Y": 12}[self.kind]

    def phrase(self, rng: random.Random, *, capital: bool = False) -> str:
        """How a report names the period: "quý II/2024", "6 tháng đầu năm 2024", …"""
        roman = ["I", "II", "III", "IV"]
        if self.kind == "Q":
            q = roman[self.n - 1]
            s = rng.choice([f"quý {q}/{self.year}", f"quý {q} năm {self.year}"])
        elif self.kind == "H1":
            s = f"6 tháng đầu năm {self.year}"
        elif self.kind == "9M":
            s = rng.choice([f"9 tháng năm {self.year}", f"9 tháng đầu năm {self.year}"])
        elif self.kind == "M":
            s = rng.choice([f"tháng {self.n}/{self.year}", f"tháng {self.n} năm {self.year}"])
        else:
            s = f"năm {self.year}"
        return s[0].upper() + s[1:] if capital else s

    def short(self) -> str:
        """The period named again inside the report ("trong quý", "trong 6 tháng")."""
        return {"Q": "trong quý", "H1": "trong 6 tháng", "9M": "trong 9 tháng", "M": "trong tháng",
                "Y": "trong năm"}[self.kind]


def _periods_for(p: Province, rng: random.Random) -> Period:
    """A report period valid for the province's scheme (old provinces end 2025-06-30)."""
    kinds = ["Q", "Q", "Q", "H1", "9M", "Y", "Y", "M", "M"]
    while True:
        k = rng.choice(kinds)
        if p.scheme == "2008-2025":
            year = rng.randint(2019, 2025)
        else:
            year = rng.choice([2025, 2025, 2026])
        n = rng.randint(1, 4) if k == "Q" else rng.randint(1, 12) if k == "M" else 0
        per = Period(k, year, n)
        start_month = per.end.month - per.months + 1
        start = date(year, start_month, 1)
        if p.scheme == "2008-2025" and per.end > date(2025, 6, 30):
            continue
        if p.scheme == "2025" and start < date(2025, 7, 1):
            continue
        if per.end > date(2026, 6, 30):
            continue
        return per


# ------------------------------------------------------------------------------------------------
# Numbers as Vietnamese reports write them
# ------------------------------------------------------------------------------------------------


def vi_int(n: int) -> str:
    """12345 → "12.345" (dot between thousands)."""
    return f"{n:,}".replace(",", ".")


def vi_dec(v: Decimal) -> str:
    """Decimal("70.30") → "70,3" (comma for decimals, no trailing zeros)."""
    s = format(v.normalize(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    whole, _, frac = s.partition(".")
    out = vi_int(int(whole)) if whole not in ("", "-0") else "0"
    if whole.startswith("-") and out[0] != "-":
        out = "-" + out
    return out + ("," + frac if frac else "")


def pct(n: int, d: int, places: int = 2) -> Decimal:
    """100 n / d rounded half up to ``places`` decimals (the way reports round)."""
    q = Decimal(1).scaleb(-places)
    return (Decimal(100) * n / d).quantize(q, rounding=ROUND_HALF_UP)


def rand_rate(rng: random.Random, lo: float, hi: float, places: int = 2) -> Decimal:
    v = Decimal(str(rng.uniform(lo, hi))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if v == v.to_integral_value():  # "96%" reads as a round figure: keep a decimal digit
        v += Decimal("0.1")
    return v


# ------------------------------------------------------------------------------------------------
# The report builder: text with facts at known offsets
# ------------------------------------------------------------------------------------------------


@dataclass
class Report:
    id: str
    province: Province
    period: Period
    date: date
    title: str = ""
    parts: list[str] = field(default_factory=list)
    pos: int = 0
    paragraph: int = 0
    facts: list[dict[str, Any]] = field(default_factory=list)
    connections: list[dict[str, Any]] = field(default_factory=list)
    template: str = ""

    def t(self, s: str) -> Report:
        self.parts.append(s)
        self.pos += len(s)
        return self

    def nl(self) -> Report:
        self.parts.append("\n")
        self.pos += 1
        self.paragraph += 1
        return self

    def f(self, surface: str, value: Decimal | int, unit: str, kind: str, indicator: str, *,
          qualifier: str = "exact", period: str | None = None, scale: int | Decimal = 1,
          total_of: int | None = None, ratio_of: list[int] | None = None, same_span: bool = False) -> int:
        """Write ``surface`` (unless ``same_span``: a second fact on the last surface) and record
        its fact; returns its number ``n``."""
        if same_span:
            start, end = self.facts[-1]["start"], self.facts[-1]["end"]
        else:
            start = self.pos
            self.t(surface)
            end = self.pos
        n = len(self.facts) + 1
        v = Decimal(value)
        self.facts.append({
            "id": self.id, "n": n, "kind": kind, "value": _num(v), "unit": unit, "scale": _num(Decimal(scale)),
            "qualifier": qualifier, "subject": f"{self.province.name} ({self.province.slug})",
            "indicator": indicator, "period": period or self.period.label, "total_of": total_of,
            "surface": surface, "start": start, "end": end, "paragraph": self.paragraph,
            **({"ratio_of": ratio_of} if ratio_of else {}), "template": self.template,
        })
        return n

    def conn(self, surface: str, frm: str, to: str | None, *, status: str = "operational",
             count: int | None = None, level: str | None = None, write: bool = True) -> None:
        start = self.pos if write else self.facts[-1]["start"]
        if write:
            self.t(surface)
        self.connections.append({
            "id": self.id, "n": len(self.connections) + 1, "from": SYSTEM + frm,
            "to": SYSTEM + to if to else None, "status": status, "count": count, "level": level,
            "surface": surface, "start": start, "end": start + len(surface), "paragraph": self.paragraph,
            "template": self.template,
        })

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _num(v: Decimal) -> int | float:
    return int(v) if v == v.to_integral_value() else float(v)


# ------------------------------------------------------------------------------------------------
# The province's figures for one period (shared by every report on it)
# ------------------------------------------------------------------------------------------------


@dataclass
class Truth:
    received: int
    online: int
    resolved: int
    ontime_rate: Decimal
    overdue: int
    plan_total: int
    plan_done: int
    decisions: int
    proc_new: int
    proc_amended: int
    proc_abolished: int
    digitized: Decimal
    e_result: Decimal
    paid_online: Decimal
    paid_money: Decimal  # tỷ đồng
    sys_central: int
    sys_local: int
    fb_received: int
    fb_handled: int
    par_score: Decimal
    par_rank: int
    par_change: int
    sipas: Decimal
    target_full_online: int
    services_total: int
    services_full: int
    by_post: int
    full_online: Decimal
    full_online_change: Decimal
    lvl_province: int
    lvl_district: int
    lvl_commune: int
    classes: int
    trainees: int
    new_enterprises: int
    capital: int  # tỷ đồng
    revenue: int  # tỷ đồng
    revenue_growth: Decimal
    avg_days: Decimal
    target_rank: int


def truth_for(seed: int, p: Province, per: Period) -> Truth:
    r = random.Random(f"{seed}:{p.slug}:{p.scheme}:{per.label}")
    scale = per.months * r.uniform(0.6, 1.8)
    received = int(r.uniform(9000, 40000) * scale)
    online = int(received * r.uniform(0.35, 0.93))
    resolved = int(received * r.uniform(0.9, 0.985))
    overdue = int(resolved * r.uniform(0.001, 0.02))
    plan_total = r.randint(36, 96)
    done_share = min(0.98, per.months / 12 * r.uniform(0.7, 1.05))
    plan_done = max(3, int(plan_total * done_share))
    proc_new = r.randint(8, 90)
    proc_amended = r.randint(40, 520)
    proc_abolished = r.randint(5, 80)
    central = r.randint(6, 15)
    local = r.randint(3, 12)
    fb_received = r.randint(25, 400)
    fb_handled = r.randint(int(fb_received * 0.8), fb_received - 1)
    services_total = r.randint(1500, 2100)
    return Truth(
        received=received, online=online, resolved=resolved,
        ontime_rate=rand_rate(r, 92.5, 99.8), overdue=overdue,
        plan_total=plan_total, plan_done=plan_done,
        decisions=r.randint(4, 40), proc_new=proc_new, proc_amended=proc_amended,
        proc_abolished=proc_abolished,
        digitized=rand_rate(r, 55, 99, 1), e_result=rand_rate(r, 60, 99, 1),
        paid_online=rand_rate(r, 30, 90, 1), paid_money=Decimal(r.randint(15, 980)) / 10,
        sys_central=central, sys_local=local,
        fb_received=fb_received, fb_handled=fb_handled,
        par_score=rand_rate(r, 80, 93), par_rank=r.randint(1, 63), par_change=r.randint(1, 12),
        sipas=rand_rate(r, 79, 92),
        target_full_online=r.choice([40, 50, 60, 70, 80]),
        services_total=services_total, services_full=int(services_total * r.uniform(0.35, 0.6)),
        by_post=int(received * r.uniform(0.005, 0.03)),
        full_online=rand_rate(r, 25, 75, 1), full_online_change=rand_rate(r, 0.6, 9.5, 1),
        lvl_province=int(received * r.uniform(0.1, 0.2)), lvl_district=int(received * r.uniform(0.2, 0.35)),
        lvl_commune=int(received * r.uniform(0.4, 0.6)),
        classes=r.randint(3, 30), trainees=r.randint(3, 40) * 100,
        new_enterprises=int(r.uniform(40, 260) * per.months), capital=int(r.uniform(150, 900) * per.months),
        revenue=int(r.uniform(300, 2500) * per.months), revenue_growth=rand_rate(r, 2, 25, 1),
        avg_days=Decimal(r.randint(12, 60)) / 10, target_rank=r.choice([10, 15, 20, 30]),
    )


# ------------------------------------------------------------------------------------------------
# Paragraphs
# ------------------------------------------------------------------------------------------------

NARRATIVE = [
    "Ngay từ đầu kỳ, {ubnd} đã ban hành kế hoạch triển khai, phân công rõ cơ quan chủ trì, thời hạn hoàn thành và người chịu trách nhiệm đối với từng nội dung cải cách hành chính.",
    "Công tác tuyên truyền về cải cách hành chính được đổi mới, chú trọng hướng dẫn người dân sử dụng dịch vụ công trực tuyến và các ứng dụng trên thiết bị di động.",
    "Người đứng đầu các sở, ngành và địa phương được giao trách nhiệm trực tiếp chỉ đạo, kiểm tra việc giải quyết hồ sơ, xử lý nghiêm các trường hợp gây phiền hà cho người dân, doanh nghiệp.",
    "Việc kiểm tra công vụ được tiến hành thường xuyên, kết hợp kiểm tra đột xuất tại bộ phận tiếp nhận và trả kết quả, qua đó chấn chỉnh kịp thời những biểu hiện chậm trễ.",
    "Bên cạnh kết quả đạt được, công tác cải cách hành chính vẫn còn hạn chế: hạ tầng công nghệ thông tin ở một số nơi chưa đồng bộ, kỹ năng số của một bộ phận người dân còn thấp.",
    "Đội ngũ công chức làm việc tại bộ phận tiếp nhận và trả kết quả được bồi dưỡng kỹ năng giao tiếp, ứng xử và kỹ năng sử dụng phần mềm chuyên ngành.",
    "Tổ công nghệ số cộng đồng ở các thôn, tổ dân phố tích cực hỗ trợ người dân tạo tài khoản, nộp hồ sơ và thanh toán phí, lệ phí trên môi trường mạng.",
    "Các cơ quan chuyên môn tiếp tục rà soát quy trình nội bộ, cắt giảm thành phần hồ sơ không cần thiết và công khai đầy đủ thủ tục trên cổng thông tin của tỉnh.",
    "Việc sắp xếp tổ chức bộ máy được thực hiện đúng lộ trình, bảo đảm tinh gọn, hoạt động hiệu lực, hiệu quả và không làm gián đoạn việc phục vụ người dân.",
    "Tỉnh coi trọng việc lấy ý kiến đánh giá của người dân, doanh nghiệp về chất lượng phục vụ, xem đây là thước đo quan trọng để điều chỉnh cách làm.",
    "Nhiều sở, ngành đã chủ động tái cấu trúc quy trình, liên thông điện tử giữa các cấp chính quyền, giảm số lần đi lại của người dân.",
    "Thời gian tới, {ubnd} yêu cầu các cơ quan tập trung tháo gỡ vướng mắc, đẩy nhanh tiến độ các nhiệm vụ còn chậm và nâng cao chất lượng dữ liệu.",
    "Công tác văn thư, lưu trữ được chuẩn hóa; văn bản điện tử được ký số và gửi nhận trên môi trường mạng giữa các cơ quan hành chính nhà nước.",
    "Các buổi đối thoại với doanh nghiệp được tổ chức định kỳ để lắng nghe khó khăn, vướng mắc trong thực hiện thủ tục đầu tư, đất đai và xây dựng.",
    "Trung tâm Phục vụ hành chính công tiếp tục được củng cố, bố trí công chức có chuyên môn phù hợp, trang thiết bị hiện đại và không gian thân thiện.",
    "Sở Nội vụ được giao theo dõi, đôn đốc và tổng hợp kết quả thực hiện, định kỳ báo cáo {ubnd} để kịp thời chỉ đạo.",
    "Ứng dụng trí tuệ nhân tạo trong hỗ trợ tra cứu thủ tục đang được thử nghiệm, bước đầu giúp người dân tìm đúng thủ tục cần thực hiện.",
    "Kỷ luật, kỷ cương hành chính được siết chặt; việc đánh giá cán bộ gắn với kết quả giải quyết công việc và mức độ hài lòng của người dân.",
]

LEADS = [
    "Theo báo cáo của {ubnd}, ",
    "Số liệu tổng hợp của Sở Nội vụ cho thấy, ",
    "Theo Văn phòng {ubnd}, ",
    "",
    "",
]


def _ubnd(p: Province) -> str:
    return f"UBND {p.kind} {p.name}"


def _cap(s: str) -> str:
    return s[0].upper() + s[1:] if s else s


def p_dossiers(r: Report, rng: random.Random, t: Truth) -> None:
    per = r.period
    v = rng.randrange(3)
    r.template = f"dossiers-{v}"
    if v == 0:
        r.t(rng.choice(LEADS).format(ubnd=_ubnd(r.province)) if rng.random() < 0.5 else "")
        lead = r.parts[-1]
        r.t(("t" if lead else "T") + f"rong {per.phrase(rng)}, các cơ quan, đơn vị trên địa bàn {r.province.kind} đã tiếp nhận ")
        n1 = r.f(vi_int(t.received), t.received, "dossier", "count", "dossiers-received")
        r.t(" hồ sơ thủ tục hành chính, trong đó hồ sơ nộp trực tuyến là ")
        n2 = r.f(vi_int(t.online), t.online, "dossier", "count", "dossiers-online", total_of=n1)
        r.t(" hồ sơ, chiếm ")
        rate = pct(t.online, t.received)
        r.f(vi_dec(rate) + "%", rate, "percent", "rate", "dossiers-online", ratio_of=[n2, n1])
        r.t(". Đã giải quyết xong ")
        r.f(vi_int(t.resolved), t.resolved, "dossier", "count", "dossiers-resolved")
        r.t(" hồ sơ, tỷ lệ giải quyết trước và đúng hạn đạt ")
        r.f(vi_dec(t.ontime_rate) + "%", t.ontime_rate, "percent", "rate", "dossiers-on-time")
        r.t("; còn ")
        r.f(vi_int(t.overdue), t.overdue, "dossier", "count", "dossiers-overdue")
        r.t(" hồ sơ quá hạn.")
    elif v == 1:
        r.t(f"{per.phrase(rng, capital=True)}, bộ phận một cửa các cấp của {r.province.kind} tiếp nhận ")
        r.f(vi_int(t.received), t.received, "dossier", "count", "dossiers-received")
        r.t(" hồ sơ. Tỷ lệ hồ sơ giải quyết trước và đúng hạn đạt ")
        r.f(vi_dec(t.ontime_rate) + "%", t.ontime_rate, "percent", "rate", "dossiers-on-time")
        r.t(", số hồ sơ trễ hạn là ")
        r.f(vi_int(t.overdue), t.overdue, "dossier", "count", "dossiers-overdue")
        r.t(". Tỷ lệ hồ sơ nộp trực tuyến đạt ")
        rate = pct(t.online, t.received, 1)
        r.f(vi_dec(rate) + "%", rate, "percent", "rate", "dossiers-online")
        r.t(".")
    else:
        r.t(f"Về kết quả giải quyết thủ tục hành chính, {per.phrase(rng)} toàn {r.province.kind} đã giải quyết ")
        r.f(vi_int(t.resolved), t.resolved, "dossier", "count", "dossiers-resolved")
        r.t(" hồ sơ, trong đó giải quyết trước và đúng hạn đạt tỷ lệ ")
        r.f(vi_dec(t.ontime_rate) + "%", t.ontime_rate, "percent", "rate", "dossiers-on-time")
        r.t(". Số hồ sơ tiếp nhận trực tuyến là ")
        r.f(vi_int(t.online), t.online, "dossier", "count", "dossiers-online")
        r.t(" hồ sơ.")
    r.nl()


def p_plan(r: Report, rng: random.Random, t: Truth, err: bool) -> None:
    per = r.period
    y = per.year
    v = rng.randrange(2)
    r.template = f"plan-{v}"
    rate = pct(t.plan_done, t.plan_total)
    if err:
        rate += Decimal(rng.choice([-7, 5, 9]))
    if v == 0:
        r.t(f"Kế hoạch cải cách hành chính năm {y} của {r.province.kind} gồm ")
        n0 = r.f(vi_int(t.plan_total), t.plan_total, "task", "count", "plan-tasks-assigned", period=str(y))
        r.t(" nhiệm vụ. Đến nay đã hoàn thành ")
        s = f"{t.plan_done}/{t.plan_total}"
        n1 = r.f(s, t.plan_done, "task", "count", "plan-tasks-completed", total_of=n0)
        n2 = r.f(s, t.plan_total, "task", "count", "plan-tasks-assigned", same_span=True)
        r.t(" nhiệm vụ, đạt ")
        r.f(vi_dec(rate) + "%", rate, "percent", "rate", "plan-tasks-completed", ratio_of=[n1, n2])
        r.t(".")
    else:
        r.t(f"{per.phrase(rng, capital=True)}, các cơ quan đã hoàn thành ")
        s = f"{t.plan_done}/{t.plan_total}"
        n1 = r.f(s, t.plan_done, "task", "count", "plan-tasks-completed")
        n2 = r.f(s, t.plan_total, "task", "count", "plan-tasks-assigned", same_span=True, period=str(y))
        r.t(f" nhiệm vụ trong kế hoạch cải cách hành chính năm {y}, đạt ")
        r.f(vi_dec(rate) + "%", rate, "percent", "rate", "plan-tasks-completed", ratio_of=[n1, n2])
        r.t("; các nhiệm vụ còn lại đang được triển khai theo lộ trình.")
    r.nl()


def p_procedures(r: Report, rng: random.Random, t: Truth, err: bool) -> None:
    total = t.proc_new + t.proc_amended + t.proc_abolished
    if err:
        total += rng.choice([-3, 2, 5])
    v = rng.randrange(2)
    r.template = f"procedures-{v}"
    if v == 0:
        r.t(f"{_cap(r.period.short())}, Chủ tịch {_ubnd(r.province)} đã ban hành ")
        r.f(vi_int(t.decisions), t.decisions, "decision", "count", "decisions-issued")
        r.t(" quyết định công bố ")
        n0 = r.f(vi_int(total), total, "procedure", "count", "procedures-announced")
        r.t(" thủ tục hành chính, gồm ")
        r.f(vi_int(t.proc_new), t.proc_new, "procedure", "count", "procedures-new", total_of=n0)
        r.t(" thủ tục mới, ")
        r.f(vi_int(t.proc_amended), t.proc_amended, "procedure", "count", "procedures-amended", total_of=n0)
        r.t(" thủ tục sửa đổi, bổ sung và ")
        r.f(vi_int(t.proc_abolished), t.proc_abolished, "procedure", "count", "procedures-abolished", total_of=n0)
        r.t(" thủ tục bị bãi bỏ.")
    else:
        r.t(f"Công tác kiểm soát thủ tục hành chính tiếp tục được chú trọng. {_cap(r.period.short())}, {r.province.kind} đã công bố ")
        n0 = r.f(vi_int(total), total, "procedure", "count", "procedures-announced")
        r.t(" thủ tục hành chính, bao gồm ")
        r.f(vi_int(t.proc_new), t.proc_new, "procedure", "count", "procedures-new", total_of=n0)
        r.t(" thủ tục ban hành mới, ")
        r.f(vi_int(t.proc_amended), t.proc_amended, "procedure", "count", "procedures-amended", total_of=n0)
        r.t(" thủ tục sửa đổi, bổ sung và ")
        r.f(vi_int(t.proc_abolished), t.proc_abolished, "procedure", "count", "procedures-abolished", total_of=n0)
        r.t(" thủ tục bãi bỏ.")
    r.nl()


def p_digital(r: Report, rng: random.Random, t: Truth) -> None:
    v = rng.randrange(2)
    r.template = f"digital-{v}"
    if v == 0:
        r.t("Tỷ lệ số hóa hồ sơ, kết quả giải quyết thủ tục hành chính đạt ")
        r.f(vi_dec(t.digitized) + "%", t.digitized, "percent", "rate", "dossiers-digitized")
        r.t("; tỷ lệ cấp kết quả giải quyết điện tử đạt ")
        r.f(vi_dec(t.e_result) + "%", t.e_result, "percent", "rate", "dossiers-e-result")
        r.t("; tỷ lệ thanh toán trực tuyến đạt ")
        r.f(vi_dec(t.paid_online) + "%", t.paid_online, "percent", "rate", "dossiers-paid-online")
        r.t(".")
    else:
        r.t("Có ")
        r.f(vi_dec(t.paid_online) + "%", t.paid_online, "percent", "rate", "dossiers-paid-online")
        r.t(" hồ sơ phát sinh nghĩa vụ tài chính được thanh toán trực tuyến, với tổng số tiền ")
        r.f(vi_dec(t.paid_money) + " tỷ đồng", t.paid_money, "VND", "money", "online-payment-transactions",
            scale=10**9)
        r.t(". Tỷ lệ số hóa hồ sơ đạt ")
        r.f(vi_dec(t.digitized) + "%", t.digitized, "percent", "rate", "dossiers-digitized")
        r.t(".")
    r.nl()


def p_connections(r: Report, rng: random.Random, t: Truth) -> None:
    slug = r.province.slug
    name = r.province.name
    v = rng.randrange(2)
    r.template = f"connections-{v}"
    total = t.sys_central + t.sys_local
    if v == 0:
        r.t(f"Về kết nối, chia sẻ dữ liệu, Nền tảng tích hợp, chia sẻ dữ liệu của {r.province.kind} (LGSP) đã kết nối thông suốt với ")
        r.conn("Nền tảng tích hợp, chia sẻ dữ liệu quốc gia", f"{slug}/local-data-exchange-platform",
               "national-data-exchange-platform")
        r.t(f". Hệ thống thông tin giải quyết TTHC tỉnh {name} đã kết nối ")
        n0 = r.f(vi_int(total), total, "system", "count", "systems-connected")
        r.conn(str(total), f"{slug}/tthc-information-system", None, count=total, write=False)
        r.t(" hệ thống, gồm ")
        r.f(vi_int(t.sys_central), t.sys_central, "system", "count", "systems-connected-national", total_of=n0)
        r.conn(str(t.sys_central), f"{slug}/tthc-information-system", None, count=t.sys_central,
               level="national", write=False)
        r.t(" hệ thống của Trung ương và ")
        r.f(vi_int(t.sys_local), t.sys_local, "system", "count", "systems-connected-provincial", total_of=n0)
        r.conn(str(t.sys_local), f"{slug}/tthc-information-system", None, count=t.sys_local,
               level="provincial", write=False)
        r.t(" hệ thống của tỉnh.")
    else:
        r.t(f"Hệ thống thông tin giải quyết TTHC tỉnh {name} được kết nối, đồng bộ trạng thái hồ sơ lên ")
        r.conn("Cổng Dịch vụ công quốc gia", f"{slug}/tthc-information-system", "national-public-service-portal")
        r.t(" và khai thác dữ liệu từ ")
        r.conn("Cơ sở dữ liệu quốc gia về dân cư", f"{slug}/tthc-information-system", "national-population-database")
        r.t(f". Thời gian tới, {r.province.kind} dự kiến kết nối Hệ thống thông tin báo cáo của tỉnh với ")
        r.conn("Hệ thống thông tin báo cáo Chính phủ", f"{slug}/reporting-system", "government-reporting-system",
               status="planned")
        r.t(".")
    r.nl()


def p_feedback(r: Report, rng: random.Random, t: Truth) -> None:
    r.template = "feedback-0"
    r.t(f"Công tác tiếp nhận, xử lý phản ánh, kiến nghị được duy trì: {r.period.short()}, {r.province.kind} tiếp nhận ")
    n1 = r.f(vi_int(t.fb_received), t.fb_received, "other", "count", "feedback-received")
    r.t(" phản ánh, kiến nghị và đã xử lý ")
    n2 = r.f(vi_int(t.fb_handled), t.fb_handled, "other", "count", "feedback-handled")
    r.t(" trường hợp, đạt ")
    rate = pct(t.fb_handled, t.fb_received)
    r.f(vi_dec(rate) + "%", rate, "percent", "rate", "feedback-handled", ratio_of=[n2, n1])
    r.t(".")
    r.nl()


def p_index(r: Report, rng: random.Random, t: Truth) -> None:
    prev = r.period.year - 1
    v = rng.randrange(2)
    r.template = f"index-{v}"
    if v == 0:
        r.t(f"Chỉ số cải cách hành chính (PAR INDEX) năm {prev} của {r.province.kind} đạt ")
        r.f(vi_dec(t.par_score) + "%", t.par_score, "percent", "score", "par-index", period=str(prev))
        r.t(", xếp thứ ")
        r.f(f"{t.par_rank}/63", t.par_rank, "rank", "rank", "par-index", period=str(prev))
        r.t(" tỉnh, thành phố, tăng ")
        r.f(str(t.par_change), t.par_change, "rank", "growth", "par-index", period=str(prev))
        r.t(f" bậc so với năm {prev - 1}.")
    else:
        r.t(f"Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) năm {prev} của {r.province.kind} đạt ")
        r.f(vi_dec(t.sipas) + "%", t.sipas, "percent", "score", "sipas", period=str(prev))
        r.t(".")
    r.nl()


def p_target(r: Report, rng: random.Random, t: Truth) -> None:
    y = r.period.year if r.period.kind != "Y" else r.period.year + 1
    r.template = "target-0"
    r.t(f"Đến hết năm {y}, {r.province.kind} phấn đấu tỷ lệ hồ sơ trực tuyến toàn trình đạt ít nhất ")
    r.f(f"{t.target_full_online}%", t.target_full_online, "percent", "target", "dossiers-full-online",
        qualifier="at_least", period=str(y))
    r.t(f". Cũng trong năm {y}, {r.province.kind} phấn đấu thuộc nhóm ")
    r.f(str(t.target_rank), t.target_rank, "rank", "target", "par-index", qualifier="up_to", period=str(y))
    r.t(" địa phương dẫn đầu cả nước về Chỉ số PAR INDEX.")
    r.nl()


def p_services(r: Report, rng: random.Random, t: Truth) -> None:
    r.template = "services-0"
    r.t("Hiện nay, Cổng Dịch vụ công của tỉnh cung cấp ")
    n0 = r.f(vi_int(t.services_total), t.services_total, "procedure", "count", "procedures-online-service")
    r.t(" dịch vụ công trực tuyến, trong đó có ")
    r.f(vi_int(t.services_full), t.services_full, "procedure", "count", "procedures-online-full", total_of=n0)
    r.t(" dịch vụ công trực tuyến toàn trình.")
    r.nl()


def p_levels(r: Report, rng: random.Random, t: Truth) -> None:
    r.template = "levels-0"
    r.t(f"{_cap(r.period.short())}, Trung tâm Phục vụ hành chính công tỉnh tiếp nhận ")
    r.f(vi_int(t.lvl_province), t.lvl_province, "dossier", "count", "dossiers-received")
    if r.province.scheme == "2008-2025":
        r.t(" hồ sơ; cấp huyện tiếp nhận ")
        r.f(vi_int(t.lvl_district), t.lvl_district, "dossier", "count", "dossiers-received")
        r.t(" hồ sơ và cấp xã tiếp nhận ")
    else:
        r.t(" hồ sơ, các Trung tâm Phục vụ hành chính công cấp xã tiếp nhận ")
    r.f(vi_int(t.lvl_commune), t.lvl_commune, "dossier", "count", "dossiers-received")
    r.t(" hồ sơ. Số hồ sơ tiếp nhận qua dịch vụ bưu chính công ích là ")
    r.f(vi_int(t.by_post), t.by_post, "dossier", "count", "dossiers-by-post")
    r.t(" hồ sơ.")
    r.nl()


def p_full_online(r: Report, rng: random.Random, t: Truth) -> None:
    r.template = "full-online-0"
    r.t("Tỷ lệ hồ sơ trực tuyến toàn trình đạt ")
    r.f(vi_dec(t.full_online) + "%", t.full_online, "percent", "rate", "dossiers-full-online")
    r.t(", tăng ")
    r.f(vi_dec(t.full_online_change) + " điểm phần trăm", t.full_online_change, "percent", "growth",
        "dossiers-full-online")
    r.t(" so với cùng kỳ; thời gian giải quyết bình quân một hồ sơ là ")
    r.f(vi_dec(t.avg_days), t.avg_days, "other", "other", "unclassified")
    r.t(" ngày làm việc.")
    r.nl()


def p_training(r: Report, rng: random.Random, t: Truth) -> None:
    r.template = "training-0"
    r.t(f"Để nâng cao năng lực đội ngũ, {r.period.short()} {r.province.kind} đã tổ chức ")
    r.f(vi_int(t.classes), t.classes, "other", "count", "unclassified")
    r.t(" lớp tập huấn cho hơn ")
    r.f(vi_int(t.trainees), t.trainees, "person", "count", "training-participants", qualifier="more_than")
    r.t(" lượt cán bộ, công chức về kỹ năng số và nghiệp vụ một cửa.")
    r.nl()


def p_economy(r: Report, rng: random.Random, t: Truth) -> None:
    r.template = "economy-0"
    r.t(f"Cải cách hành chính góp phần cải thiện môi trường đầu tư, kinh doanh: {r.period.short()} có ")
    r.f(vi_int(t.new_enterprises), t.new_enterprises, "enterprise", "count", "new-enterprises")
    r.t(" doanh nghiệp thành lập mới, tổng vốn đăng ký khoảng ")
    r.f(vi_int(t.capital) + " tỷ đồng", t.capital, "VND", "money", "registered-capital", qualifier="about",
        scale=10**9)
    r.t(". Tổng thu ngân sách trên địa bàn ước đạt ")
    r.f(vi_int(t.revenue) + " tỷ đồng", t.revenue, "VND", "money", "budget-revenue", qualifier="estimated",
        scale=10**9)
    r.t(", tăng ")
    r.f(vi_dec(t.revenue_growth) + "%", t.revenue_growth, "percent", "growth", "budget-revenue")
    r.t(" so với cùng kỳ.")
    r.nl()


def p_narrative(r: Report, rng: random.Random, k: int) -> None:
    r.template = "narrative"
    picks = rng.sample(NARRATIVE, k)
    r.t(" ".join(s.format(ubnd=_ubnd(r.province)) for s in picks))
    r.nl()


FACT_PARAGRAPHS = ["plan", "procedures", "digital", "connections", "feedback", "index", "services",
                   "levels", "full_online", "training", "economy"]


def report(seed: int, i: int, error_rate: float = 0.02) -> Report:
    """The ``i``-th report of the corpus with ``seed``."""
    rng = random.Random(f"{seed}:report:{i}")
    provs = provinces()
    p = rng.choice(provs)
    per = _periods_for(p, rng)
    t = truth_for(seed, p, per)
    err = rng.random() < error_rate
    err_kind = rng.choice(["plan", "procedures", "disagree"]) if err else ""
    if err_kind == "disagree":
        t.ontime_rate += Decimal(rng.choice(["-1.3", "0.7", "-2.1"]))
        if t.ontime_rate >= 100:
            t.ontime_rate -= Decimal(3)
    day = per.end + timedelta(days=rng.randint(2, 20))
    rid = f"gen-{seed}-{i:07d}-{p.slug}-{per.label.replace('/', '_')}"
    r = Report(rid, p, per, day)
    title = rng.choice([
        f"{p.name}: kết quả cải cách hành chính {per.phrase(rng)}",
        f"{p.name} đẩy mạnh cải cách hành chính, nâng cao chất lượng phục vụ",
        f"{_cap(p.kind)} {p.name} tiếp tục cải thiện chất lượng giải quyết thủ tục hành chính",
        f"{p.name}: chuyển biến rõ nét trong cải cách hành chính",
    ])
    r.title = title
    r.t(title).nl()
    r.t(f"Ngày {day.day:02d}/{day.month:02d}/{day.year}").nl()
    p_narrative(r, rng, 2)
    p_dossiers(r, rng, t)
    order = FACT_PARAGRAPHS[:]
    rng.shuffle(order)
    for k, name in enumerate(order):
        if name == "plan":
            p_plan(r, rng, t, err_kind == "plan")
        elif name == "procedures":
            p_procedures(r, rng, t, err_kind == "procedures")
        else:
            globals()[f"p_{name}"](r, rng, t)
        if k % 2 == 1:
            p_narrative(r, rng, rng.randint(2, 4))
    p_target(r, rng, t)
    p_narrative(r, rng, rng.randint(2, 3))
    r.template = "byline"
    r.t(rng.choice(["Minh Anh", "Thu Hà", "Quang Huy", "Ngọc Lan", "Văn Long", "Hải Yến"])).nl()
    r.t(f"Nguồn: https://example.org/{p.slug}/cchc-{per.label.replace('/', '-').lower()}-{i}")
    return r


def generate(n: int, seed: int = 1, *, start: int = 0, error_rate: float = 0.02) -> Iterator[Report]:
    for i in range(start, start + n):
        yield report(seed, i, error_rate)


def record(r: Report) -> dict[str, str]:
    return {"id": r.id, "text": r.text, "date": r.date.isoformat(), "title": r.title}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--documents", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=0, help="index of the first report (to extend a corpus)")
    ap.add_argument("--error-rate", type=float, default=0.02, help="share of reports with an inconsistency")
    ap.add_argument("-o", "--output", default="-", help="corpus JSONL (- for stdout)")
    ap.add_argument("--gold", type=Path, help="facts JSONL")
    ap.add_argument("--connections", type=Path, help="connections JSONL")
    a = ap.parse_args(argv)
    out = sys.stdout if a.output == "-" else open(a.output, "w", encoding="utf-8")
    gold = open(a.gold, "w", encoding="utf-8") if a.gold else None
    conns = open(a.connections, "w", encoding="utf-8") if a.connections else None
    try:
        for r in generate(a.documents, a.seed, start=a.start, error_rate=a.error_rate):
            out.write(json.dumps(record(r), ensure_ascii=False) + "\n")
            if gold:
                gold.writelines(json.dumps(f, ensure_ascii=False) + "\n" for f in r.facts)
            if conns:
                conns.writelines(json.dumps(c, ensure_ascii=False) + "\n" for c in r.connections)
    finally:
        for fh in (gold, conns):
            if fh:
                fh.close()
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
