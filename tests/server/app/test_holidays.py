"""Public holidays as data (Labour Code 2019 Art. 112; docs/domain.md M4: "Lunar New Year (5
days, dates set yearly) ... Hùng Kings' day (10th of the 3rd lunar month). The calendar takes the
year's list as data."), lunar days computed in UTC+7."""

from __future__ import annotations

import datetime as dt

import pytest

from server.holidays import lunar_to_solar, tet, year_holidays


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # Vietnam (UTC+7) and China (UTC+8) differ in these years: a Chinese library is wrong.
        pytest.param(1985, dt.date(1985, 1, 21), id="M4-tet-1985-vietnam-not-china-20-feb"),
        pytest.param(2007, dt.date(2007, 2, 17), id="M4-tet-2007-vietnam-not-china-18-feb"),
        pytest.param(2030, dt.date(2030, 2, 2), id="M4-tet-2030-vietnam-not-china-3-feb"),
        pytest.param(2024, dt.date(2024, 2, 10), id="M4-tet-2024"),
        pytest.param(2025, dt.date(2025, 1, 29), id="M4-tet-2025"),
        pytest.param(2026, dt.date(2026, 2, 17), id="M4-tet-2026"),
        pytest.param(2027, dt.date(2027, 2, 6), id="M4-tet-2027"),
    ],
)
def test_m4_tet_in_utc_plus_7(year: int, expected: dt.date) -> None:
    assert tet(year) == expected


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        pytest.param(2024, dt.date(2024, 4, 18), id="M4-hung-kings-2024"),
        pytest.param(2025, dt.date(2025, 4, 7), id="M4-hung-kings-2025"),
        pytest.param(2026, dt.date(2026, 4, 26), id="M4-hung-kings-2026"),
    ],
)
def test_m4_hung_kings_day_10_3_lunar(year: int, expected: dt.date) -> None:
    assert lunar_to_solar(10, 3, year) == expected


def test_m4_year_list_2026() -> None:
    days = {h.day: h for h in year_holidays(2026)}
    tet_days = [dt.date(2026, 2, d) for d in range(16, 21)]  # eve (16) and days 1-4 (17-20)
    assert all(days[d].kind == "lunar" for d in tet_days)
    assert days[dt.date(2026, 4, 26)].name_vi.startswith("Giỗ Tổ")
    # Hùng Kings' day 2026 is a Sunday: a day in lieu on Monday 27 April (Art. 112.3)
    assert days[dt.date(2026, 4, 27)].kind == "set"
    for solar in (dt.date(2026, 1, 1), dt.date(2026, 4, 30), dt.date(2026, 5, 1)):
        assert days[solar].kind == "solar"
    assert dt.date(2026, 9, 2) in days and dt.date(2026, 9, 1) in days
    assert dt.date(2026, 9, 3) in {h.day for h in year_holidays(2026, september_adjacent=3)}
    with pytest.raises(ValueError):
        year_holidays(2026, september_adjacent=4)
