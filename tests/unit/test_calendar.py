"""Calendar: monthly due dates anchored on a day of month, moved to business days."""

from datetime import date

import pytest

from arrears.domain.calendar import (
    EveryDay,
    HolidayCalendar,
    add_months,
    calendar_for,
    monthly_due_dates,
    next_business_day,
)
from arrears.domain.schedule import due_dates

# -- month arithmetic -------------------------------------------------------------------


def test_one_month_after_january_31_is_february_28():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_one_month_after_january_31_in_a_leap_year_is_february_29():
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


def test_adding_months_crosses_the_year_end():
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_adding_months_on_a_given_day_of_month_clamps_to_month_end():
    assert add_months(date(2026, 2, 28), 1, day_of_month=31) == date(2026, 3, 31)
    assert add_months(date(2026, 3, 31), 1, day_of_month=31) == date(2026, 4, 30)


def test_monthly_dates_stay_anchored_on_the_31st_after_a_short_month():
    # Given a first due date on January 31
    # When the monthly dates are laid out
    dates = monthly_due_dates(date(2026, 1, 31), 4)
    # Then February clamps to the 28th but March goes back to the 31st
    assert dates == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def test_monthly_dates_in_a_leap_year_use_february_29():
    dates = monthly_due_dates(date(2028, 1, 31), 3)
    assert dates == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]


# -- due dates: first due date given or defaulted -------------------------------------------


def test_default_first_due_date_is_one_month_after_the_start_on_the_start_day():
    # Given a loan started on January 15 with no first due date
    # Then it falls due on the 15th of each following month
    dates = due_dates(date(2026, 1, 15), 3)
    assert dates == [date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15)]


def test_default_due_dates_from_a_start_on_the_31st_keep_the_31st():
    dates = due_dates(date(2026, 1, 31), 3)
    assert dates == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def test_a_given_first_due_date_sets_the_anchor_day_whatever_the_start_day():
    # Given a loan started on January 15 whose contract says first due March 5
    dates = due_dates(date(2026, 1, 15), 3, first_due_date=date(2026, 3, 5))
    # Then every due date is on the 5th, starting in March
    assert dates == [date(2026, 3, 5), date(2026, 4, 5), date(2026, 5, 5)]


# -- business days -----------------------------------------------------------------------


def test_a_due_date_on_china_national_day_moves_to_the_first_working_day_after():
    # Given the 2026 National Day holiday of October 1-7 (with its substituted days off)
    cn = calendar_for("CN")
    # Then a due date on October 1 moves to Thursday October 8
    assert next_business_day(date(2026, 10, 1), cn) == date(2026, 10, 8)


def test_a_chinese_make_up_working_saturday_is_a_business_day():
    # Given Saturdays China works to make up for holidays (调休) in 2026
    cn = calendar_for("CN")
    # Then a due date on them does not move
    assert next_business_day(date(2026, 10, 10), cn) == date(2026, 10, 10)
    assert next_business_day(date(2026, 2, 28), cn) == date(2026, 2, 28)


def test_an_ordinary_chinese_saturday_moves_to_monday():
    cn = calendar_for("CN")
    assert next_business_day(date(2026, 3, 7), cn) == date(2026, 3, 9)


def test_us_independence_day_on_a_saturday_is_observed_on_friday_and_both_move_to_monday():
    # Given July 4, 2026 is a Saturday, observed on Friday July 3
    us = calendar_for("US")
    # Then a due date on either day moves to Monday July 6
    assert next_business_day(date(2026, 7, 3), us) == date(2026, 7, 6)
    assert next_business_day(date(2026, 7, 4), us) == date(2026, 7, 6)
    assert next_business_day(date(2026, 7, 2), us) == date(2026, 7, 2)


def test_moving_one_due_date_does_not_shift_the_later_ones():
    # Given monthly due dates on the 1st from September 2026, on the Chinese calendar
    dates = due_dates(
        date(2026, 8, 1),
        4,
        first_due_date=date(2026, 9, 1),
        business_calendar=calendar_for("CN"),
    )
    # Then October 1 moves to October 8 and Sunday November 1 to Monday November 2,
    # while December stays on the 1st
    assert dates == [date(2026, 9, 1), date(2026, 10, 8), date(2026, 11, 2), date(2026, 12, 1)]


def test_the_anchor_survives_a_move_off_a_weekend_on_the_31st():
    # Given due dates on the 31st from January 2026 (a Saturday) on the Chinese calendar
    dates = due_dates(
        date(2025, 12, 31),
        3,
        first_due_date=date(2026, 1, 31),
        business_calendar=calendar_for("CN"),
    )
    # Then Jan 31 moves to Monday Feb 2, Feb 28 is a make-up working Saturday,
    # and March is back on the 31st
    assert dates == [date(2026, 2, 2), date(2026, 2, 28), date(2026, 3, 31)]


def test_no_calendar_means_every_day_is_a_business_day():
    saturday = date(2026, 10, 3)
    assert next_business_day(saturday, EveryDay()) == saturday
    assert isinstance(calendar_for(None), EveryDay)
    assert isinstance(calendar_for(""), EveryDay)


def test_calendar_codes_are_case_insensitive():
    calendar = calendar_for("cn")
    assert isinstance(calendar, HolidayCalendar)
    assert calendar.country == "CN"


def test_an_unknown_calendar_code_is_refused():
    with pytest.raises(ValueError, match="unknown holiday calendar 'XX'"):
        calendar_for("XX")
