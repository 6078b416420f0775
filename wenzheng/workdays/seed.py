"""Seed the calendar from the `chinese_calendar` package (official data, 2004–2026).

The package raises for years it does not know, and the `holidays` package's later
years are computed by rule with no make-up working days, so only the package's own
years are entered; later years are typed in by the county office from the State
Council's notice.
"""

from chinese_calendar import constants

SOURCE = "chinese_calendar 软件包（国务院办公厅节假日安排通知）"


def official_days():
    """(date, kind, name) for every holiday and make-up working day in the package."""
    chinese = {h.value: h.chinese for h in constants.Holiday}
    for day, name in sorted(constants.holidays.items()):
        yield day, "holiday", chinese.get(name, name)
    # The package lists only weekend dates as extra workdays, but say so in code.
    for day, name in sorted(constants.workdays.items()):
        if day.weekday() >= 5:
            yield day, "workday", chinese.get(name, name)


def official_years() -> list[int]:
    return sorted({day.year for day in constants.holidays})


def seed(calendar_day_model, calendar_year_model) -> int:
    """Enter what is missing; never overwrite what the office has edited."""
    existing = set(calendar_day_model.objects.values_list("date", flat=True))
    new_days = [
        calendar_day_model(date=day, kind=kind, name=name) for day, kind, name in official_days() if day not in existing
    ]
    calendar_day_model.objects.bulk_create(new_days)
    known = set(calendar_year_model.objects.values_list("year", flat=True))
    calendar_year_model.objects.bulk_create(
        [calendar_year_model(year=y, source=SOURCE) for y in official_years() if y not in known]
    )
    if new_days:
        # bulk_create sends no signals: say it here (the migration's historical models
        # are not watched either, and no process keeps a calendar before it runs).
        from . import clock

        clock.forget_calendar()
    return len(new_days)
