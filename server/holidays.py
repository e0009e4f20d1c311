"""Public holidays of a year as data (Labour Code 2019 Art. 112), for the R1/M4 meeting day.

The lunar ones (Lunar New Year, Hùng Kings' day on the 10th of the 3rd lunar month) come from the
Vietnamese lunar calendar computed in UTC+7 by ``lunar-vn``: Vietnam's calendar differs from
China's (UTC+8) in some years, e.g. Tết 1985 (21 Jan, China 20 Feb), 2007 (17 Feb, China 18 Feb)
and 2030 (2 Feb, China 3 Feb), so a Chinese calendar library would be wrong there.

Tết's five days and the day next to 2 September are set yearly by the government: the defaults
here are the last day of the lunar year and the first four of the new one, and 1 September; a day
can be removed or added by hand (``hopchibo holidays remove/add-day``). A holiday on a weekend
gives a compensatory day off on the next working day (Art. 112.3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import lunar_vn

from policy.calendar import WEEKEND
from server.audit import AuditLog
from server.storage import holidays as holiday_store
from server.storage.db import Session
from server.storage.models import PublicHoliday

VN_TIME_ZONE = 7.0


@dataclass(frozen=True, slots=True)
class Holiday:
    day: dt.date
    name_vi: str
    name_en: str
    kind: str  # solar | lunar | set


def lunar_to_solar(day: int, month: int, year: int) -> dt.date:
    """A Vietnamese lunar date (not a leap month) as a solar date, in UTC+7."""
    return lunar_vn.lunar_to_solar(lunar_vn.LunarDate(day, month, year, False), VN_TIME_ZONE)


def tet(year: int) -> dt.date:
    """Mùng 1 Tết of the lunar year that starts in solar ``year``."""
    return lunar_to_solar(1, 1, year)


def year_holidays(year: int, *, september_adjacent: int = 1) -> list[Holiday]:
    """The default list of days off for ``year`` (sorted, one entry per day)."""
    if september_adjacent not in (1, 3):
        raise ValueError("the day next to 2 September is the 1st or the 3rd")
    new_year = tet(year)
    days: dict[dt.date, Holiday] = {}

    def put(day: dt.date, vi: str, en: str, kind: str) -> None:
        days.setdefault(day, Holiday(day, vi, en, kind))

    put(dt.date(year, 1, 1), "Tết Dương lịch", "New Year's Day", "solar")
    put(
        new_year - dt.timedelta(days=1),
        "Tết Nguyên Đán (ngày cuối năm)",
        "Lunar New Year's Eve",
        "lunar",
    )
    for i in range(4):
        put(
            new_year + dt.timedelta(days=i),
            f"Tết Nguyên Đán (mùng {i + 1})",
            f"Lunar New Year (day {i + 1})",
            "lunar",
        )
    put(lunar_to_solar(10, 3, year), "Giỗ Tổ Hùng Vương (10/3 âm lịch)", "Hùng Kings' day", "lunar")
    put(dt.date(year, 4, 30), "Ngày Chiến thắng", "Reunification Day", "solar")
    put(dt.date(year, 5, 1), "Ngày Quốc tế Lao động", "International Labour Day", "solar")
    put(dt.date(year, 9, 2), "Quốc khánh", "National Day", "solar")
    put(
        dt.date(year, 9, september_adjacent),
        "Quốc khánh (ngày liền kề)",
        "National Day (adjacent day)",
        "set",
    )
    for holiday in sorted(days.values(), key=lambda h: h.day):
        if holiday.day.weekday() not in WEEKEND:
            continue
        extra = holiday.day + dt.timedelta(days=1)
        while extra.weekday() in WEEKEND or extra in days:
            extra += dt.timedelta(days=1)
        put(extra, f"Nghỉ bù ({holiday.name_vi})", f"Day in lieu ({holiday.name_en})", "set")
    return sorted(days.values(), key=lambda h: h.day)


async def add_year(
    session: Session, audit: AuditLog, actor: str, year: int, *, september_adjacent: int = 1
) -> list[PublicHoliday]:
    """Store the year's default days off that are not stored yet (audited)."""
    rows = [
        PublicHoliday(day=h.day, name_vi=h.name_vi, name_en=h.name_en, kind=h.kind)
        for h in year_holidays(year, september_adjacent=september_adjacent)
    ]
    added = await holiday_store.add_missing(session, rows)
    await audit.record(
        actor, "holidays.add", f"year:{year}", {"added": len(added)}, session=session
    )
    return added


async def days_off(session: Session, start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """The stored public holidays from ``start`` to ``end``: what the rules pass over."""
    return frozenset(row.day for row in await holiday_store.between(session, start, end))
