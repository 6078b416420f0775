"""Messages about the same problem, written by different citizens."""

from wenzheng.handling import actions
from wenzheng.testing import local

MONDAY = local(2026, 3, 2, 9)
TUESDAY = local(2026, 3, 3, 9)
LATER = local(2026, 3, 20, 9)

LAMP = ("城南路路灯不亮", "城南路中段的路灯已经坏了一个多星期，晚上一片漆黑，行人很不安全，请尽快维修。")
LAMP_AGAIN = ("城南路路燈壞了", "城南路中段路燈壞了一個多星期了，晚上漆黑一片，行人不安全，希望盡快修理！")
LAMP_NORTH = ("城北路路灯不亮", "城北路中段的路灯已经坏了一个多星期，晚上一片漆黑，行人很不安全，请尽快维修。")
WATER = ("东门村停水三天", "东门村从周一开始就停水，到现在三天了还没来水，老人小孩喝水都成问题。")


def write(cast, text, *, at=MONDAY, by=None, phone="13900000001", unit=None, region=None, name="李四"):
    """A message with `text` (title, body), to `unit` or to the county office."""
    return actions.submit(
        by=by,
        category=cast.appeal,
        unit=unit,
        region=region or (None if unit else cast.county),
        title=text[0],
        body=text[1],
        name=name,
        phone=phone,
        consent_to_publish=True,
        at=at,
    )
