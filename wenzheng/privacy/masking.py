"""Masking personal data inside free text: the one function every public surface uses.

`mask(text, names=..., allowed=...)` returns the text with each piece of personal
data replaced (DOMAIN.md, "Personal data"): mobile and landline numbers
(138****5678), ID numbers (4502**********1234), bank cards, e-mail addresses, QQ and
WeChat accounts, licence plates, house-level addresses (kept to the road, village or
estate: 凤凰路***), self-declared names (我叫张**) and the citizen's own name or
account name wherever it is echoed ("网友U***您好"). Dates, times, serial numbers,
amounts of money, article numbers and percentages are left alone, and so are the
numbers a county publishes on purpose (`allowed`: its units' hotlines) and a public
institution's address named beside it (县政务服务中心（民生路18号）).

How: the text is first folded one character for one (full-width digits and letters,
the ideographic space and the dashes of Chinese input methods become ASCII), so that
"１３９－１２３４－５６７８" is found like "139-1234-5678" and every position found in
the folded text is the same position in the original. Digits are read as runs of
groups ("139 1234 5678", "6222-0212-3456-7890"), and each run is read as the longest
kind it can be, checked the way the number itself is made (a mobile's prefix, an ID
number's region and birth date, a bank card's Luhn digit) or, for numbers that
carry no such check (a local landline, a bank account), by the label before it.
Names are found after the cues people write ("我叫…", "姓名：…", "本人…"), beside
the surname said with 姓 ("我姓王，叫小明") and as whom a greeting addresses
("韦志明您好", "致韦志明：", "您好，韦志明！", "张三、李四您好"), checked against the
surname list. After the weak cues ("我是…", "本人…") a surname that is also an
everyday word (常, 高, 方) counts only where the name ends as a name does
("我是常梅轩，住在…"), and what the writer is rather than who ("我是张家村的",
"我是管理员", "本人常年在外") stays, though a name may start like it ("我是白天建，"),
as does what a greeting addresses that is no one's name ("网友您好", "张老师您好",
"夏天你好").
Everything found is replaced in one pass, longest first where two finds overlap.

The recall and false-positive rate are measured by `bench/masking.py` on the corpus
of `wenzheng/privacy/corpus.py` (BENCHMARKS.md); the test suite fails below target.
"""

import bisect
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache

from wenzheng.lib import text as text_rules

from . import surnames


class Kind:
    MOBILE = "mobile"
    LANDLINE = "landline"
    ID_NUMBER = "id_number"
    BANK_CARD = "bank_card"
    EMAIL = "email"
    ACCOUNT = "account"  # QQ, WeChat, and the citizen's own account or name echoed
    PLATE = "plate"
    ADDRESS = "address"
    NAME = "name"

    LABELS = {
        "mobile": "手机号",
        "landline": "固定电话",
        "id_number": "身份证号",
        "bank_card": "银行卡号",
        "email": "电子邮箱",
        "account": "账号或网名",
        "plate": "车牌号",
        "address": "门牌地址",
        "name": "姓名",
    }


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    replacement: str

    @property
    def label(self) -> str:
        return Kind.LABELS[self.kind]


# --- folding ------------------------------------------------------------------------

_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x2212: 0x2D, 0xFE63: 0x2D, 0x30FC: 0x2D})
# A carriage return, as a space: a browser sends a textarea's line breaks as CR LF,
# and 138⏎1234⏎5678 typed on three lines is one number as with LF alone.
_FOLD[0x0D] = 0x20
_FOLD.update(dict.fromkeys(range(0x2010, 0x2016), 0x2D))  # ‐ ‑ ‒ – — ―
# Every other space (Unicode's Zs: thin, hair, narrow no-break, figure spaces…).
_FOLD.update(dict.fromkeys([*range(0x2000, 0x200B), 0x1680, 0x202F, 0x205F], 0x20))


# Every other way of writing a digit, one character for one: Unicode's decimal digits
# (Arabic-Indic ١٣٨, Devanagari, mathematical 𝟏𝟑𝟖…), and the circled, parenthesised
# and full-stopped ones (①③⑧, ❶, ⑴, ⒈); the Roman numeral Ⅹ as an ID number's X.
_FOLD.update(
    {c: 0x30 + unicodedata.decimal(chr(c)) for c in range(0x80, 0x20000) if unicodedata.category(chr(c)) == "Nd"}
)
for _one in (0x2460, 0x2474, 0x2488, 0x2776, 0x2780, 0x278A):  # ① ⑴ ⒈ ❶ ➀ ➊ to their 9
    _FOLD.update({_one + n: 0x31 + n for n in range(9)})
_FOLD.update({0x24EA: 0x30, 0x24FF: 0x30, 0x2169: ord("X"), 0x2179: ord("x")})
# Superscript and subscript digits (¹³⁸, ₁₃₈): Unicode's other digits (No) of one digit.
_FOLD.update(
    {
        c: 0x30 + unicodedata.digit(chr(c))
        for c in range(0x80, 0x20000)
        if c not in _FOLD and unicodedata.category(chr(c)) == "No" and unicodedata.digit(chr(c), None) is not None
    }
)
# A keycap's enclosing mark (1️⃣3️⃣8️⃣: its variation selector is a format character,
# taken out first), as a space between digits; the middle dots an input method types
# (138·1234·5678), as a dash.
_FOLD[0x20E3] = 0x20
_FOLD.update(dict.fromkeys([0x00B7, 0x2022, 0x2027, 0x30FB, 0xFF65], 0x2D))


def fold(text: str) -> str:
    """Full-width ASCII, every form of digit, odd spaces and dashes to ASCII, one
    character for one."""
    return text.translate(_FOLD)


HAN = "\u4e00-\u9fff"

# --- numbers ------------------------------------------------------------------------

# How people separate a number's groups: spaces (a tab, a line break), a dash, a dot,
# a slash or an underscore, with spaces around it or not: 138 1234-5678, 138 - 1234,
# 138.1234.5678, 138/1234/5678.
_SEPARATOR = r"(?:[ \t]{0,3}[\-./_][ \t]{0,3}|[ \t]{1,3}\n?[ \t]{0,3}|\n[ \t]{0,3})"
# A run of digit groups so joined, with an ID number's X (or its last group's).
_RUN = re.compile(rf"(?<![\d.])\d+(?:{_SEPARATOR}\d+)*(?:[Xx](?![A-Za-z]))?(?![\d])")
_GROUP = re.compile(r"\d+[Xx]?")
# After these, a number is an amount or a count, not a phone.
_QUANTITY_AFTER = re.compile(
    r"\s*(?:元|万|亿|块|角|毛钱|美元|港元|%|‰|人|户|个|次|条|件|名|只|头|台|辆|套|间|张|份|本|册|项|家|所|座|"
    r"平方|平米|亩|米|公里|千米|吨|公斤|千克|斤|克|升|度|天|小时|分钟|秒|年|岁|周岁|届|期|版|页|字|kg|km|m²|w)"
)
_QUANTITY_BEFORE = re.compile(r"(?:[¥￥$]|第|人民币|RMB|共计|合计|金额|价格|价款|投资|资金|补助|收入|支出)\s*$")

_ID_LABEL = re.compile(
    r"(?:身份证|身份证号|身份证号码|公民身份号码|证件号|证件号码|身份号码|ID)\s*(?:号码|号)?\s*[:是为]?\s*$", re.I
)
_CARD_LABEL = re.compile(
    r"(?:卡号|银行卡|银行卡号|储蓄卡|借记卡|信用卡|社保卡|账号|帐号|银行账号|银行账户|收款账户|收款账号|账户|帐户|开户账号|存折)"
    r"\s*(?:号码|号)?\s*(?:是|为)?\s*[:]?\s*$"
)
# An institution's account, published for payments into it (非税收入 to a 财政专户):
# left alone after its label, unless the number is a card's (its Luhn digit, a card
# issuer's first digit), as a person's account is, or the label is someone's own
# (我的对公账户, 个人).
_PUBLIC_ACCOUNT_LABEL = re.compile(
    r"(?:(?:对公|单位|单位银行|收款单位|基本存款|基本|专用|非税收入)\s?(?:账户|帐户|账号|帐号)"
    r"|(?:财政|非税收入)专户(?:账户|帐户|账号|帐号)?)\s*(?:号码|号)?\s*(?:是|为)?\s*[:]?\s*$"
)
_SOMEONES_OWN = re.compile(r"我|本人|个人|私人|自己")
_PHONE_LABEL = re.compile(
    r"(?:电话|手机|手机号|座机|固话|固定电话|联系方式|联系电话|号码|电话号码|tel|phone|拨打|致电|回电|打)\s*(?:号码|号)?\s*(?:是|为)?\s*[:]?\s*$",
    re.I,
)
_QQ_LABEL = re.compile(
    r"(?:QQ|qq|扣扣|企鹅|加[Qq]|(?<![A-Za-z])[Qq](?=\s*(?:号|:)))\s*(?:号码|号)?\s*(?:是|为)?\s*[:]?\s*$"
)

# Province-level codes: the first two digits of an ID number.
_PROVINCES = frozenset(
    ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
     "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82")
)  # fmt: skip


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _is_id(d: str) -> bool:
    """An 18-character ID number: a region, a birth date, a sequence, a check digit."""
    if len(d) != 18 or not d[:17].isdigit() or d[:2] not in _PROVINCES:
        return False
    year = int(d[6:10])
    return 1900 <= year <= 2030 and _valid_date(year, int(d[10:12]), int(d[12:14]))


def _id_checks(d: str) -> bool:
    """Whether an 18-character ID number's last is its check character (GB 11643,
    ISO 7064 MOD 11-2). A case number made of a region code and a date
    (受理编号450225202603150012) looks like one, and is masked only if it checks, or
    where a label says it is an ID number."""
    total = sum(int(ch) * (2 ** (17 - i) % 11) for i, ch in enumerate(d[:17]))
    return "10X98765432"[total % 11] == d[17].upper()


def _is_old_id(d: str) -> bool:
    """A 15-digit first-generation ID number (region, yymmdd, sequence)."""
    return len(d) == 15 and d[:2] in _PROVINCES and _valid_date(1900 + int(d[6:8]), int(d[8:10]), int(d[10:12]))


def _luhn(d: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(d)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _is_mobile(d: str) -> bool:
    return len(d) == 11 and d[0] == "1" and d[1] in "3456789"


def _landline_split(d: str) -> tuple[str, str] | None:
    """(area code, local number) of a number with its area code, e.g. 0778 8123456."""
    if len(d) < 10 or d[0] != "0" or d[1] == "0":
        return None
    area = 3 if d[1] in "12" else 4
    local = d[area:]
    if len(local) in (7, 8) and local[0] in "23456789":
        return d[:area], local
    return None


def _stars(n: int) -> str:
    return "*" * max(n, 1)


def _masked_number(kind: str, d: str) -> str:
    if kind == Kind.MOBILE:
        prefix = d[:-11]
        d = d[-11:]
        return (("+" + prefix + " ") if prefix else "") + d[:3] + "****" + d[-4:]
    if kind == Kind.LANDLINE:
        split = _landline_split(d)
        area, local = split if split else ("", d)
        return (area + "-" if area else "") + _stars(len(local) - 2) + local[-2:]
    if kind in (Kind.ID_NUMBER, Kind.BANK_CARD):
        return d[:4] + _stars(len(d) - 8) + d[-4:]
    return d[:2] + _stars(len(d) - 4) + d[-2:] if len(d) > 5 else _stars(len(d))


# --- the other kinds, as patterns on the folded text --------------------------------

# Its dots may be typed as 。 by a Chinese input method (wzm@qq。com).
# Written so to slip past filters: wzm(at)qq(dot)com, wzm @ 163.com, wzm艾特163点com,
# wzm at 163 dot com.
_AT = r"(?:\s?@\s?|\s?[(\[]\s?at\s?[)\]]\s?|\s?艾特\s?|\sat\s)"
_DOT = r"(?:[.。]|\s?[(\[]\s?dot\s?[)\]]\s?|点|\sdot\s)"
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{{0,63}}{_AT}"
    rf"[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*{_DOT}[A-Za-z]{{2,24}}(?![A-Za-z])",
    re.I,
)
_AT_WRITTEN, _DOT_WRITTEN = re.compile(_AT, re.I), re.compile(_DOT, re.I)
_WECHAT = re.compile(
    r"(?:微信号|微信|wechat|weixin|wx|vx|v信|威信|薇信|(?<![A-Za-z])v(?=\s*:))\s*(?:号码|号)?\s*(?:是|为)?\s*[:]?\s*([A-Za-z][A-Za-z0-9_\-]{5,19})(?![A-Za-z0-9_\-])",
    re.I,
)
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][ \-]?"
    r"[A-HJ-NP-Za-hj-np-z][ ·.\-]?(?=[A-HJ-NP-Za-hj-np-z0-9]{0,5}\d)[A-HJ-NP-Za-hj-np-z0-9]{5,6}(?![A-Za-z0-9])"
)
# A road, street, lane, village, hamlet or estate, then a house-level number:
# 凤凰路18号, 横岸村3组15号, 幸福小区5栋2单元301室, 城南花园5-2-301.
_ANCHOR = (
    r"(?:大道|大街|路|街|巷|弄|胡同|村|屯|社区|小区|花园|公寓|大厦|家园|新村|苑|宿舍|寨|庄|"
    r"新区|家属楼|家属区|保障房|廉租房|公租房)"
)
# A building may be lettered (B栋502).
_NUM = r"(?:\d{1,5}|[A-Za-z](?=[栋幢座])|[一二三四五六七八九十百两零〇]{1,4})"
_FIRST = r"(?:号院|号楼|号|栋|幢|座|单元|组|队|排|巷)"
_NEXT = r"(?:号院|号楼|号|栋|幢|座|单元|组|队|排|巷|室|楼|层|户|房)"
_NOT_A_HOUSE = r"(?!线|文|令|台风|公告|文件|窗口|车道|地铁|口|通知|楼盘|公交|专线|码头)"
# Up to two spaces between a house's parts (3栋 2单元 501室: a browser's CR LF line
# break too), and a room number spelled in numerals (五零一); a year or a time after
# the house is not its room.
_ROOM = r"(?:-?\d{2,4}(?:室|房)?(?![\d年月日时点元])|[零〇一二三四五六七八九]{3,4}(?:室|房)?(?![年月日]))"
_HOUSE = (
    rf"第?{_NUM}\s?{_FIRST}{_NOT_A_HOUSE}(?:\s{{0,2}}[-之]?第?{_NUM}\s?{_NEXT})*(?:\s{{0,2}}{_ROOM})?"
    rf"|\d{{1,4}}(?:-\d{{1,4}}){{1,3}}(?:室|号|房)?(?![\d\-])"
)
# A road's section may stand between it and the number (凤凰大道西段88号), and an
# estate's district or phase between it and the building (幸福花园A区3栋, 阳光小区二期
# B区12号楼): kept, as the section is, and the house after them masked. Two spaces at
# most between the parts: a line break typed in a browser is CR LF.
_DISTRICT = (
    r"(?:\s{0,2}(?:[A-Za-z]\d?|\d{1,2}|[一二三四五六七八九十]{1,3}|[东西南北中])\s{0,2}(?:[区期]|组团|地块)){1,2}"
)
# A 的 may stand before the house (幸福花园A区的3栋2单元501, 锦绣小区的5号楼): then a
# building counted rather than numbered (小区的两栋楼, 小区的3栋楼) is no house.
_ADDRESS = re.compile(
    "(?:"
    + "|".join(f"(?<={a})" for a in _ANCHOR[3:-1].split("|"))
    + rf")(?:[东西南北中]段|{_DISTRICT})?\s{{0,2}}(?:的\s{{0,2}})?({_HOUSE})"
)
_ONE_BUILDING = re.compile(rf"第?{_NUM}\s?(?:栋|幢|座|组|队|排|巷)")
_COUNTED = re.compile(r"\s?(?:楼|房|民房|住宅|宿舍|人|户|个|都|全|均|共|多|余)")


def _a_count(folded: str, house: re.Match) -> bool:
    """Whether the house found after a 的 is a count of buildings (小区的两栋楼): one
    part only, written with 两 or followed by what it counts."""
    if "的" not in folded[house.start() : house.start(1)] or not _ONE_BUILDING.fullmatch(house.group(1)):
        return False
    return house.group(1).lstrip("第").startswith("两") or bool(_COUNTED.match(folded, house.end(1)))


# Digits spelled in Chinese numerals, the everyday ones and the formal (大写) ones of
# cheques and contracts, simplified and traditional.
_SPELLED_DIGITS = "零〇一二三四五六七八九幺壹贰貳叁參叄肆伍陆陸柒捌玖"
_SPELLED_VALUES = "0012345678911223334566789"
_CHINESE_DIGITS = str.maketrans(_SPELLED_DIGITS, _SPELLED_VALUES)
# A digit spelled or not: 一三八1234五六七八 mixes them (Arabic runs alone are _RUN's).
_D = f"[0-9{_SPELLED_DIGITS}]"
_NOT_D = f"0-9{_SPELLED_DIGITS}十百千万拾佰仟"
# Eleven of them, in groups as a phone's digits are written (一三八 一二三四 五六七八).
_SPELLED = re.compile(rf"(?<![{_NOT_D}]){_D}(?:[ \t\-]?{_D}){{10}}(?![{_NOT_D}])")
# Eighteen, the last of them an X perhaps: an ID number (四五零一二三一九九零…).
_SPELLED_ID = re.compile(rf"(?<![{_NOT_D}]){_D}(?:[ \t\-]?{_D}){{16}}[ \t\-]?(?:{_D}|[Xx])(?![{_NOT_D}Xx])")
# A phone's or an ID number's groups as people write them (3-4-4, 6-8-4), whatever
# stands between them: a comma, 、, a bracket, a tilde, a star, a bar or a colon
# (138，1234，5678; 138（1234）5678; 450103，19900101，1234), which _RUN does not take as
# one number's formatting (a list of numbers is written so). Only in these shapes.
_LOOSE = r"[ \t\n\-.,、~*|:;/_()]{1,3}"
_LOOSE_MOBILE = re.compile(rf"(?<![{_NOT_D}]){_D}{{3}}{_LOOSE}{_D}{{4}}{_LOOSE}{_D}{{4}}(?![{_NOT_D}])")
# An ID number as 6-8-4, 10-4-4 (its birth year with the region) or 6-4-4-4.
_LOOSE_ID = re.compile(
    rf"(?<![{_NOT_D}])(?:{_D}{{6}}{_LOOSE}{_D}{{8}}|{_D}{{10}}{_LOOSE}{_D}{{4}}|{_D}{{6}}{_LOOSE}{_D}{{4}}{_LOOSE}{_D}{{4}})"
    rf"{_LOOSE}{_D}{{3}}(?:{_D}|[Xx])(?![{_NOT_D}Xx])"
)
# What else separates a list's figures (150、2000、3000): a phone so written is taken
# for one only after its label (电话：138，1234，5678).
_LISTING = re.compile(r"[,、;:]")
# Where another group goes on: the shape is part of a longer list of numbers.
_LOOSE_BEFORE = re.compile(rf"{_D}{_LOOSE}$")
_LOOSE_AFTER = re.compile(rf"{_LOOSE}{_D}")
_DOORPLATE = re.compile(r"门牌(?:号|号码)?\s*(?:是|为)?\s*[:]?\s*(\d{1,5}\s*号?)")

# A public institution's own address is published on purpose (a reply sends the citizen
# to 县政务服务中心（民生路18号）), and masked it leaves the reply unreadable. It is left
# as written only where the institution is named right beside it: in brackets after its
# name, after its 地址 or 位于, or as the name that follows the house number
# (民生路18号县政务服务中心); and never where the sentence says the address is someone's
# home (我家, 住, 家属, 宿舍, 单元…) or the house is a dwelling's (2单元501室, 5-2-301).
# A closed list of kinds of institution: a name that ends in 院 or 所 may be a home
# (四合院, 住所).
_INSTITUTION = (
    r"(?:服务中心|服务大厅|人民政府|政府|派出所|公安局|警务室|交警大队|消防救援大队|医院|卫生院|卫生室|保健院|"
    r"疾控中心|疾病预防控制中心|学校|小学|中学|高中|初中|幼儿园|大学|学院|法院|法庭|检察院|司法所|财政所|税务所|"
    r"供电所|国土所|局|办事处|办公室|街道办|居委会|村委会|居委|村委|委员会|管委会|县委|市委|党委|纪委|人大|政协|"
    r"敬老院|福利院|图书馆|文化馆|博物馆|体育馆|档案馆|客运站|汽车站|火车站)"
)
# What, between the institution and its address, says the address is somewhere else:
# beside it (旁边, 对面…), someone's home (我家, 住), or its staff's (宿舍, 家属).
_ELSEWHERE = r"旁|边|对面|附近|隔壁|后面|前面|背后|楼上|楼下|里面|[东西南北]侧|我|俺|家|住|的|宿舍|小区|公寓|职工"
_PLACE_NAME = rf"(?:(?!{_ELSEWHERE})[{HAN}A-Za-z\d ]){{1,20}}"
# 县政务服务中心（民生路18号）, 派出所（地址：解放路6号）: what stands before the house.
_INSTITUTION_BRACKETED = re.compile(rf"{_INSTITUTION}\s{{0,3}}\(\s{{0,3}}(?:地址\s?:?\s?|位于\s?)?{_PLACE_NAME}$")
# 县政务服务中心位于民生路18号, 派出所地址：解放路6号, 县人民医院在凤凰路88号; its
# address after a comma (县政务服务中心，地址：民生路18号) or a 的 (县人民医院的地址民生路3号).
_INSTITUTION_AT = re.compile(
    rf"{_INSTITUTION}\s{{0,3}}(?:(?:[,;]\s{{0,3}}|的)?(?:办公)?(?:地址|地点)\s?(?:[:是为在]|位于)?"
    rf"|(?:[,;]\s{{0,3}})?(?:位于|设在|坐落[于在])|在|迁至|搬到)"
    rf"\s{{0,3}}{_PLACE_NAME}$"
)
# 民生路18号县政务服务中心: what follows the house.
_INSTITUTION_AFTER = re.compile(
    rf"\s{{0,2}}的?(?:(?!{_ELSEWHERE})[{HAN}]){{0,14}}?{_INSTITUTION}(?!\s?(?:{_ELSEWHERE}|楼|栋|幢|单元))"
)
_AN_INSTITUTION = re.compile(_INSTITUTION)
# Read with the spaces taken out (我 家 住…).
_HOME = re.compile(
    r"住(?!院|房和|房公积金|建)|家[在住里中属]|老家|宿舍|小区|公寓|出租屋|房子|租的|单元|\d{2,4}室|\d+-\d+-\d+|"
    r"(?:[我俺咱]|本人|自己)们?的?(?:家|屋|住址|地址)|(?:家庭|个人|通讯|通信|邮寄|收件|收货|联系|户籍)地址"
)
_DWELLING = re.compile(r"单元|室|户|房|\d-\d+-\d")


def _an_institutions_address(folded: str, house: re.Match) -> bool:
    """Whether the house number `house` found is a public institution's, named right
    beside it, in a sentence that says nothing of anyone's home."""
    start, end = house.span(1)
    before = re.split(r"[。!?]", folded[max(0, start - 40) : start])[-1]
    after = re.split(r"[。!?]", folded[end : end + 30])[0]
    if not _AN_INSTITUTION.search(f"{before}\0{after}"):
        return False  # the common case, first: a text of thousands of houses is read at once
    if _DWELLING.search(house.group(1)) or _HOME.search(re.sub(r"\s", "", before + "|" + after)):
        return False
    return bool(
        (_INSTITUTION_BRACKETED.search(before) and re.match(r"\s{0,3}\)", after))
        or _INSTITUTION_AT.search(before)
        or _INSTITUTION_AFTER.match(after)
    )


def _plate_head(plate: str) -> str:
    """A plate's province and letter (桂A), however spaced (桂 A12345)."""
    return re.sub(r"[ ·\-]", "", plate)[:2].upper()


def _surname_pattern(single: frozenset) -> str:
    compound = "|".join(surnames.COMPOUND)
    return rf"(?:{compound}|[{''.join(sorted(single))}])"


# What ends a name when no punctuation does: "我叫张三家住…", "本人李四今年…", the
# surname said apart (我叫文 姓银), 您 as 你 (您好，谢谢您！).
_NOT_IN_NAME = "的是在住男女年岁我你您他她它们了和与及或现系从于为因已都也就要想请某姓"
_ENDS_NAME = r"家住|家在|家里|家中|今年|现年|电话|联系|身份|手机|户籍|先生|女士|同志"
_GIVEN = rf"(?:(?!{_ENDS_NAME})(?![{_NOT_IN_NAME}])[{HAN}]){{1,2}}"
# A given name with a space typed inside it (叫小 明, 张三 丰).
_GIVEN_SPACED = (
    rf"(?:(?!{_ENDS_NAME})(?![{_NOT_IN_NAME}])[{HAN}])(?:[ \t]?(?!{_ENDS_NAME})(?![{_NOT_IN_NAME}])[{HAN}])?"
)
# After a strong cue, a name may be typed spaced (我叫张 三, 张　三 of a full-width
# space, 张  三 lined up with three-character names): _names keeps a space only where
# it follows the surname or each character, so that 我叫张三 来自… is not 张三来.
_STRONG_NAME = rf"({_surname_pattern(surnames.ALL)}[ \t]{{0,2}}{_GIVEN_SPACED})"
_COMMON_NAME = rf"({_surname_pattern(surnames.COMMON)}{_GIVEN})"
_AFTER_NAME = (
    rf"(?=[\s,.;:!?()、。，；：！？（）“”\"'\d]|$|{_ENDS_NAME}|住|男|女|是|系|年|岁|的|本人|反映|反应|投诉|来电)"
)
# A surname that is also an everyday word (常, 高, 方…: surnames.FREQUENT_WORDLIKE),
# after a weak cue: a name only where it ends as a name does, at punctuation, a space,
# a digit or the end, or before what a writer says next of themselves (电话, 家住,
# 住在, 今年, 男，…) or a 的 (and whose relative they are: _what_not_who); not before
# any word (本人常年…, 我是高三学生, 本人任职于…).
_WORDLIKE_NAME = rf"([{''.join(sorted(surnames.FREQUENT_WORDLIKE))}]{_GIVEN})"
_ENDS_OWN_NAME = (
    rf"(?=[\s,.;:!?()、。，；：！？（）“”\"'\d]|$|{_ENDS_NAME}|的|本人|现住|住(?![户院房宅])"
    r"|[男女](?=[\s,.;:!?()、。，；：！？（）]|$))"
)
_ENDS_A_NAME = re.compile(_AFTER_NAME)
# Alternatives, grouped where used: one flat alternation is several times faster to
# scan for than one nested in another.
_NAMING = (
    r"我叫|叫我|我名叫|我的名字叫|我的名字是|名字叫|本人叫|本人名叫|户主叫|我父亲叫|我母亲叫|我爸叫|我妈叫|老人叫|"
    r"孩子叫|小孩叫|儿子叫|女儿叫|丈夫叫|妻子叫|老公叫|老婆叫|爱人叫|户主是"
)
# "我是…", "本人…": a name after a surname that is no everyday word, ended as _AFTER_NAME
# says, or after one that is, ended as _ENDS_OWN_NAME says; what the writer is rather
# than who (我是张家村的, 我是管理员) is told apart in _names (_what_not_who).
_SELF_INTRODUCED = re.compile(
    r"(?:我是|我系|本人是|本人系|本人|村民|居民)\s*(?:"
    + _COMMON_NAME
    + _AFTER_NAME
    + "|"
    + _WORDLIKE_NAME
    + _ENDS_OWN_NAME
    + ")"
)
# Whom a greeting or a salutation addresses where a text, a line or a sentence starts
# (a reply greets whoever the unit thinks wrote, not only the name on the form): 张三您好,
# 张三你好, 张三：您好, 张三，您好, 张三同志：, 张三先生/女士您好, 致张三：. A name with
# 先生, 女士, 小姐, 同志 or 老师 after it is one whatever its surname; a bare one only with a
# surname trusted after the weak cues or 于 (明天你好 is no one), and never what the addressee
# is rather than who (管理员您好), a title (张老师您好, 李工您好) or a kinship term (阿姨
# 您好): _names. Not 你好 that begins another word (王家，你好像…).
_ADDRESS_TERM = r"(?:先生|女士|小姐|同志|老师)(?:\s?(?:[/、]|\()\s?(?:先生|女士|小姐)\)?)?"
_HELLO = r"\s*[,:!]?\s*[您你]们?好(?![像好几多些])"
_ENDS_ADDRESSEE = r"\s*(?:[,.!?:;。\n]|$)"  # a name read after the greeting
# A bare greeting trusts 于 too, left out of the common surnames as a preposition ("at"):
# 于志明您好 went public whole (a trial). No word it begins is greeted: of the eight
# nouns of two or three characters (50 or more uses) that start with 于 in jieba's
# dictionary, four are people's names (于长江, 于大龙…) and the rest 于 and a time or a
# place (于今, 于汉初); 于是, 于此 are never followed by 您好.
_GREETED_SURNAMES = surnames.COMMON | surnames.FREQUENT_WORDLIKE | {"于"}
_GREETED_BARE = rf"{_surname_pattern(_GREETED_SURNAMES)}[ \t]{{0,2}}{_GIVEN_SPACED}"
_GREETED_NAME = rf"({_GREETED_BARE})"
# Several addressees (张三、李四您好; 张三和李四你们好; 张三先生、李四女士：您好; 尊敬的张三、
# 李四：; 致张三、李四：): 张三、李四您好 was published as 张三、李*您好 (a trial). The first
# is one where names joined by 、 or 和 alone go on to the greeting, and those after it
# are read on from it (_NEXT_ADDRESSEE). Nine at most after it: read to the end from
# each name, a text of 张三、 over and over took 8 s for 20,000 characters.
_LIST_TAIL = rf"(?:\s*[、和]\s*{_GREETED_BARE}(?:{_ADDRESS_TERM})?){{1,9}}"
_LISTED = rf"{_LIST_TAIL}{_HELLO}"
# Tried where a text, a line or a sentence starts, and first asked cheaply whether a
# surname (or 致) begins there: the cue was a twentieth of the masking's time without.
_GREETING_STARTS = "".join(sorted(surnames.ALL | {c[0] for c in surnames.COMPOUND} | {"致"}))
_ADDRESSEE = re.compile(
    rf"(?<![{HAN}])(?=[{_GREETING_STARTS}])(?:(?:致\s*)?{_STRONG_NAME}{_ADDRESS_TERM}(?:\s*:|{_HELLO})"
    rf"|致\s*{_GREETED_NAME}(?:\s*:|{_HELLO}|(?=(?:{_ADDRESS_TERM})?{_LIST_TAIL}\s*:))"
    rf"|{_GREETED_NAME}(?:{_HELLO}|(?:{_ADDRESS_TERM})?(?={_LISTED})))"
)
# Forms of address in a reply: 尊敬的张三先生, 亲爱的张三：
_DEAR = re.compile(
    r"(?:尊敬|亲爱)的\s*" + _STRONG_NAME + rf"(?=(?:{_LIST_TAIL})?(?:先生|女士|小姐|同志|老师|网友|[您你]们?好|[:,]))"
)
# The next of several addressees, read on from the one before (张三、李四：, 张三先生和李四
# 女士：, 您好，张三、李四！), ended as the list is read (_LIST_TAIL, then punctuation or the
# greeting).
_NEXT_ADDRESSEE = re.compile(
    rf"(?:{_ADDRESS_TERM})?\s*[、和]\s*({_GREETED_BARE})"
    rf"(?=(?:{_ADDRESS_TERM})?(?:\s*[、和]|{_ENDS_ADDRESSEE}|{_HELLO}))"
)
# The addressee after the greeting (您好，韦志明！, 你好，韦志明：): 您好，韦志明 went
# public whole (a trial). Where the greeting starts a text, a line or a sentence and
# the name ends at punctuation or the text's end (您好，王家村的路灯… is no one); not
# a wish (您好，祝好！, 您好，祝顺利！: 祝 is "wish" there) nor thanks (_GREETED_WORDS). The
# greeting is looked for first, then what stands before it: three times as fast.
_GREETED_AFTER = re.compile(
    rf"(?:您好|你好)(?<![{HAN}]..)\s*,\s*(?=[{_GREETING_STARTS}])(?!祝){_GREETED_NAME}"
    rf"(?=(?:{_LIST_TAIL})?{_ENDS_ADDRESSEE})"
)
_GREETINGS = (_DEAR, _ADDRESSEE, _GREETED_AFTER)
_NAME_CUES = [
    # Verbs of naming: whatever follows is a name if it starts with a surname.
    re.compile(rf"(?:{_NAMING})\s*" + _STRONG_NAME),
    # Labels: a name after a colon (or 是, 为), or one that ends where the label's value would.
    re.compile(
        r"(?:本人姓名|姓名|名字|联系人|申请人|当事人|反映人|投诉人|举报人|户主|收件人|落款|签名|署名)\s*(?:[:是为]\s*"
        + _STRONG_NAME
        + "|"
        + _STRONG_NAME
        + _AFTER_NAME
        + ")"
    ),
    # Weak cues: "我是…", "本人…" are followed by names only now and then
    # (_SELF_INTRODUCED); after any surname when the writer's sex follows (本人任家军，男，).
    _SELF_INTRODUCED,
    # A relative named without 叫: 我父亲王大明今年80岁, 您父亲王大明的….
    re.compile(
        r"(?:我|您)的?(?:父亲|母亲|爸爸|妈妈|爱人|丈夫|妻子|老公|老婆|儿子|女儿|老伴|公公|婆婆|爷爷|奶奶)\s*"
        + _STRONG_NAME
        + _AFTER_NAME
    ),
    re.compile(r"(?:我是|我系|本人是|本人系|本人)\s*" + _STRONG_NAME + r"(?=\s*[,，、(（]\s*[男女])"),
    # A statement that opens with the writer's particulars: 张三，男，1965年出生…
    re.compile(r"(?:^|(?<=[。\n!?；;]))\s*" + _STRONG_NAME + r"(?=\s*[,，、(（]\s*[男女]\s*[,，、)）])"),
    # Forms of address in a reply, and whom a greeting addresses: 尊敬的张三先生, 张三您好.
    *_GREETINGS,
]
# A name given in two parts, the surname said with 姓 (我姓王，叫小明; 本人姓李名强;
# 我叫小明，姓王): the given name is masked, found by the surname beside it, with
# spaces or a line break between the parts or inside it (叫小 明), and the whole
# name too when it follows 叫 (我姓王，叫王小明).
_PARTS_BETWEEN = r"\s{0,3}(?:[,.;:、。]\s{0,3})?(?:我|本人|(?:您|你)可以)?\s{0,3}"
# What says the given name comes next; not 名 that begins a word (姓李名下…, 名义上).
_GIVEN_NAMED = (
    r"(?:(?:大家|别人|人家)?都?叫我|全名叫|全名是|名字?(?:叫|是|为)|叫|贱名|双名"
    r"|名字(?=\s{0,3}:)|名(?![下义额单称次列声气誉片牌字]))"
)
# A form's way too: 姓：王 名：小明.
_COLON = r"\s{0,3}:?\s{0,3}"
_SPLIT_NAMES = [
    re.compile(
        rf"(?<!百)姓{_COLON}(?P<surname>{_surname_pattern(surnames.ALL)}){_PARTS_BETWEEN}{_GIVEN_NAMED}{_COLON}"
        rf"(?P<given>(?:(?P=surname)[ \t]?)?{_GIVEN_SPACED}){_AFTER_NAME}"
    ),
    # A given name of one character, said as one (单名一个修字): the character alone,
    # not the 字 that names it a character.
    re.compile(
        rf"(?<!百)姓{_COLON}(?P<surname>{_surname_pattern(surnames.ALL)}){_PARTS_BETWEEN}单名(?:一个|为|是)?{_COLON}"
        rf"(?P<given>(?!字)(?![{_NOT_IN_NAME}])[{HAN}])(?=[ \t]?字|{_AFTER_NAME})"
    ),
    re.compile(
        rf"(?:{_NAMING}|名叫|名字是|我是)\s{{0,3}}(?P<given>{_GIVEN_SPACED}){_PARTS_BETWEEN}"
        rf"姓{_COLON}(?P<surname>{_surname_pattern(surnames.ALL)}){_AFTER_NAME}"
    ),
]
# An account name in a reply's greeting: 网友UU0012345您好, UU0012345网友：您好.
_NOT_ACCOUNTS = {"朋友", "们", "各位", "广大", "亲爱的", "尊敬的", "这位", "该", "热心", "各位热心", "本站", "全体",
                 "热心市民", "市民", "热心网友", "热心群众"}  # fmt: skip
_ACCOUNT_GREETINGS = [
    re.compile(
        r"(?:网友|网民|用户)\s*[\"“'‘「]?\s*([^\s,.:!?;，。：！？；\"“”'‘’「」您你]{2,30}?)\s*[\"”'’」]?\s*,?\s*(?:您好|你好)"
    ),
    re.compile(r"(?:^|(?<=[\s,.:!?;。，：！？；]))([^\s,.:!?;，。：！？；]{2,30}?)\s*网友\s*[:,]?\s*(?:您好|你好)"),
]
_NAME_PLACEHOLDERS = ("某", "先生", "女士", "小姐", "师傅", "老师", "同学", "同志", "家属", "网友")
# A surname and a title is how a unit names the officer to call (联系人李工, 请联系王主任):
# not a person's name, and a reply that gives it means the citizen to read it. A
# two-character title is never a given name; a one-character one (工, 科, 校) may be
# (王科, 张校), so it is taken for a title only after 联系人 and as all that follows
# the surname (李工, not 李工华), never where a label, 我叫 or 先生 says it is a name.
_TITLES = frozenset(
    [
        "主任",
        "科长",
        "股长",
        "所长",
        "站长",
        "队长",
        "局长",
        "部长",
        "处长",
        "镇长",
        "乡长",
        "村长",
        "县长",
        "书记",
        "支书",
        "经理",
        "主管",
        "干事",
        "专员",
        "组长",
        "社长",
        "院长",
        "校长",
        "医生",
        "大夫",
        "律师",
        "会计",
        "工程",
        "警官",
        "总工",
        "主席",
        "委员",
    ]
)
_SHORT_TITLES = frozenset("工总局科所站队处股校")
# A surname and a kinship term is how people are called, and call themselves, without
# their name (我是韦大哥, 叫我王大姐就行): no name. One character (王哥, 李姐) is left
# masked: a given name may be one. The terms with 阿 are none alone either (阿姨您好:
# 阿 is a surname too).
_KIN_ADDRESSES = frozenset(
    ["大哥", "大姐", "大叔", "大爷", "大妈", "大娘", "大嫂", "大伯", "大婶", "老哥", "老弟", "老姐", "阿姨", "阿叔",
     "阿伯", "阿婆", "阿公", "阿妈", "阿爸", "阿哥", "阿姐", "阿妹", "阿弟", "阿嫂", "叔叔", "伯伯", "婶婶",
     "嫂子", "哥哥", "姐姐", "奶奶", "爷爷", "老伯", "老师傅"]
)  # fmt: skip
_CONTACT_CUE = re.compile(r"联系人\s*[:是为]?\s*$")
_ADDRESSED = re.compile(r"\s*(?:先生|女士|同志)")
# What people say they are, after "我是", that starts like a surname: 党员, 农民, 司机…
_NOT_NAMES = (
    "党员",
    "农民",
    "农户",
    "司机",
    "代表",
    "商户",
    "商家",
    "车主",
    "房主",
    "业主",
    "户主",
    "毕业",
    "包工",
    "贫困",
    "单亲",
    "孤寡",
    "武警",
    # The fruit's words (户主是杨梅种植大户); 杨梅 alone is a name but after a weak cue
    # (_WORDS_AFTER_WEAK_CUES), and 杨梅石, 杨梅梓 are names.
    "杨梅树",
    "杨梅园",
    "杨梅林",
    "杨梅种",
    "杨梅苗",
    "杨梅果",
    "杨梅干",
    "杨梅汁",
    "杨梅酒",
    "杨梅节",
    "柳州",
    "桂林",
    "河池",
    "罗城",
    "宜州",
    "南宁",
    "贺州",
    "梧州",
    "钦州",
    "百色",
    "欧洲",
    "黎明",
    "曾经",
    "余下",
    "何时",
    "何处",
    "景区",
    "项目",
    "沈阳",
    "贵州",
    "湖南",
    "广东",
    "广西",
    "云南",
    "房东",
    "单身",
    "施工方",
    "程序员",
    # Words that start with a surname that is also an everyday word (常, 高, 方…), said
    # after 我是 or 本人 and ended as a name would be (我是常客。本人高血压，).
    "常客",
    "常委",
    "常务",
    "常驻",
    "高兴",
    "高中生",
    "高考",
    "高管",
    "高龄",
    "高层",
    "高危",
    "高烧",
    "高血压",
    "方便",
    "白天",
    "白领",
    "白内障",
    "白血病",
    "文化",
    "文盲",
    "文职",
    "文秘",
    "任职",
    "任教",
    "安全",
    "安保",
    "成年",
    "成功",
    "华侨",
    "楼上",
    "楼下",
    # Whom a greeting addresses that starts like a surname (顾客您好, 居民同志：), and who
    # is no one (祖国你好).
    "顾客",
    "房客",
    "帅哥",
    "干部",
    "公安",
    "战士",
    "战友",
    "解放",
    "祖国",
)

# Words of _NOT_NAMES that are also a surname and one of the commonest characters of
# given names (明, 天 and 兴 are the 8th, 12th and 104th commonest second characters of
# the three-character names in jieba's dictionary, where 黎明 and 白天明 are names
# themselves): a name may start with one, and 我是白天建，, 我是高兴华， and 我叫黎明辉
# went public whole (a trial). The word is no name alone, nor before a character that
# goes on with it as a word (白天班, 白天鹅, 黎明前, 本人白天忙，, 我叫白天来); before any
# other it is.
_NAME_LIKE_WORDS = {"白天": "班鹅里时忙来去", "高兴": "", "黎明": "前时"}


def _starts_with_a_word(name: str) -> bool:
    """Whether `name`, found after a cue, starts with a word said there (_NOT_NAMES)
    rather than a name that starts like one (_NAME_LIKE_WORDS)."""
    if not name.startswith(_NOT_NAMES):
        return False
    goes_on = _NAME_LIKE_WORDS.get(name[:2])
    return goes_on is None or len(name) == 2 or name[2] in goes_on


# What reads as a name after 我是, 本人 or 村民 and is a word said there: 杨梅 the fruit
# (村民杨梅的销路不好; 我是杨梅石 is a name), and 常 "often" before what a writer often
# does or suffers, ending the clause as a given name would (本人常失眠，; 本人常生，, a
# one-character given name, is a name). Whole words only: 常加林 is a name.
_WORDS_AFTER_WEAK_CUES = frozenset(
    [
        "杨梅",
        *(
            "常" + verb
            for verb in (
                "失眠", "熬夜", "加班", "值班", "出差", "外出", "出门", "头痛", "头疼", "头晕", "咳嗽",
                "感冒", "发烧", "生病", "犯病", "发病", "犯困", "胃痛", "胃疼", "腰痛", "腰疼", "腿疼",
                "腹泻", "便秘", "胸闷", "心慌", "气喘", "耳鸣", "抽筋", "呕吐", "失业", "喝酒", "抽烟",
                "吃药", "看病", "来", "去",
            )
        ),
    ]
)  # fmt: skip


# What a greeting addresses, or stands where its addressee does, that starts like a
# surname and a given name and is no one: 夏天你好 was published as 夏*你好 (a trial).
# Greeting (…你好！) 300 seasons, days and times of day, festivals, provinces, capitals
# and great cities, the region's cities and counties, great rivers and mountains, and
# the groups, roles, bodies and kin a citizen or a unit greets, 55 were masked: these,
# the bodies that end in 部 or 委 (宣传部您好, 党委您好: _NOT_GIVEN_ENDS), and five left
# masked: 蓝天, 白云 and 华夏 are given names too (a reply greets a person far more often
# than the sky), 江湖 and 万物 are hardly greeted. Whole words only: 夏天明您好, 周一鸣你好
# are names, and a person called 夏天 or 周一 greeted bare is left (the word is the
# likelier). After 您好， thanks and a reply to one (您好，谢谢！, 您好，辛苦！, 您好，满意。 of a
# follow-up's rating).
_GREETED_WORDS = frozenset(
    ["夏天", "夏日", "夏季", "夏至", "夏夜", "金秋", "周末", "周一", "周二", "周三", "周四", "周五", "周六",
     "周日", "周天", "凌晨", "黄昏",
     "吉林", "江苏", "安徽", "江西", "甘肃", "宁夏", "石家庄", "哈尔滨", "武汉", "银川", "宁波", "玉林",
     "巴马", "金城江", "柳江", "柳城", "龙胜", "黄河", "黄山", "华山", "衡山",
     "诸位", "单位", "官方", "银行", "农行", "母亲",
     "谢谢", "辛苦", "满意"]
)  # fmt: skip


# What a writer says they are before giving their surname apart (我是村长，姓王): a role,
# not a given name.
_ROLES = (
    "村长", "家长", "医生", "护士", "校长", "组长", "队长", "会计", "律师", "学生", "居民", "村民", "工人",
    "老兵", "教师", "老师", "病人", "患者", "租户", "店主", "老板", "员工", "职工", "老人", "环卫", "保安",
    "教练", "记者", "民警", "干部", "外地", "本地", "本村", "退休", "文书", "出纳",
)  # fmt: skip

# How what a writer is ends, after 我是 or 本人 (or what a greeting addresses), and a
# given name never does: a place (我是黄石村的, 张家屯, 城北小区, 金秀县), a body (林业局, 林场,
# 汤圆店, 宣传部, 党委, 卫健委: of the 49,026 names of two or three characters in jieba's
# dictionary 57 end in 部 or 委, none of them a given name, 周瑜部, 张政委), a spot (马路边),
# a household (万元户), an occupation (管理员, 钟点工, 董事长, 姜农, 业主, 石匠).
_NOT_GIVEN_ENDS = tuple("村镇乡街路屯组县区市州省局厂站所场院校办队寨湾桥店边旁户员工长农主师匠部委")
# A surname and 家 or 氏, before a 的 and a child or an in-law, is a family (我是尹家的
# 媳妇, 我是韦家的儿子), not a person (我是岑家的母亲: 岑家 is).
_FAMILY = ("家", "氏")
_A_FAMILYS = re.compile("媳妇|儿媳|女婿|儿子|女儿|孩子|子女|孙子|孙女|后代|后人")
# A grade at school (本人高三，明年高考): the whole of what was found, as 高一鸣 is a name.
_SCHOOL_YEARS = frozenset({"高一", "高二", "高三"})
# Whose relative (or neighbour) the writer says they are, after "我是…的": 我是常梅轩的
# 母亲. Before any other word the 的 follows a place or a body (我是周边的居民, 我是
# 楼上的住户, 我是宁波的).
_RELATION = re.compile(
    r"父亲|母亲|爸爸|妈妈|儿子|女儿|孩子|子女|丈夫|妻子|老公|老婆|爱人|老伴|家属|家人|亲属|亲戚|哥哥|姐姐|"
    r"弟弟|妹妹|兄弟|姐妹|爷爷|奶奶|外公|外婆|孙子|孙女|外孙|儿媳|女婿|媳妇|岳父|岳母|叔叔|伯伯|舅舅|姑姑|"
    r"侄子|侄女|监护人|代理人|委托人|邻居|同学|同事|朋友|战友"
)


def _what_not_who(name: str, after: str) -> bool:
    """Whether `name`, found after 我是 or 本人 (or greeted: 管理员您好) and followed by
    `after`, is what the writer is rather than who they are: it ends as a place, a body or an occupation
    does, it is a grade (高三), or its given name is a role (本人任教师; 本人任会计 is a
    title, _is_title). Before a 的, a surname with one given character, or a surname
    that is an everyday word, is a name only when whose relative the writer is
    follows (我是周杰的父亲, 我是常梅轩的母亲; not 我是周边的居民, 我是宁波的, nor a
    family's child, 我是尹家的媳妇); a name of three characters is one before any 的 (本人
    韦志明的房屋), as it was."""
    given = name[_surname_length(name) :]
    if name.endswith(_NOT_GIVEN_ENDS) or name in _SCHOOL_YEARS or given.startswith(_NOT_NAMES + _ROLES):
        return True
    if after.startswith("的") and (len(given) < 2 or name[0] in surnames.FREQUENT_WORDLIKE):
        if given in _FAMILY and _A_FAMILYS.match(after, 1):
            return True
        return not _RELATION.match(after, 1)
    return False


def _is_title(name: str, before: str, after: str, *, greeted: bool = False) -> bool:
    """Whether `name`, read after `before` and before `after`, is a surname and a title:
    a one-character title only after 联系人 or greeted as itself (李工您好, 王总：您好),
    never with 先生 or 同志 after it (王科同志：您好)."""
    given = name[2 if name[:2] in surnames.COMPOUND else 1 :]
    if given in _TITLES:
        return True
    return given in _SHORT_TITLES and (greeted or bool(_CONTACT_CUE.search(before))) and not _ADDRESSED.match(after)


def _surname_length(name: str) -> int:
    return 2 if name[:2] in surnames.COMPOUND else 1


def _as_spaced(name: str, after: str) -> str:
    """A name found spaced, as far as it is typed so: spaced after its surname (张 三,
    王 小明) or after each character (王 小 明) it is whole; a space that comes first
    inside the given name ends it (张三 来自…: 来 is the next word), unless the name
    ends there too (我叫王小 明。)."""
    surname = _surname_length(name)
    if name[surname : surname + 1] in (" ", "\t") or _ENDS_A_NAME.match(after):
        return name
    return re.split(r"[ \t]", name, maxsplit=1)[0]


def _masked_name(name: str) -> str:
    surname = _surname_length(name)
    return name[:surname] + "*" * (len(name) - surname)


def _masked_account(name: str) -> str:
    return name[0] + "*" * min(max(len(name) - 1, 2), 8)


# --- the masker ---------------------------------------------------------------------


def normalise_contact(value: str) -> str:
    """The form an allow-list entry is compared in: digits only for a phone number,
    lower case for an e-mail address."""
    value = fold(value).strip().lower()
    if "@" in value:
        return value
    return "".join(ch for ch in value if ch.isdigit())


def contact_core(normalised: str) -> str:
    """What every text the list entry `normalised` lets through unmasked holds: a
    landline's local number (it may be written without its area code, Masker
    ._is_allowed), otherwise the entry itself (a mobile may carry +86 before it)."""
    split = _landline_split(normalised) if "@" not in normalised else None
    return split[1] if split else normalised


@cache
def digit_forms(digit: str) -> str:
    """Every character the masker reads as `digit`: itself, the other scripts' and
    full-width forms, the circled ones (_FOLD) and its Chinese numerals."""
    folded = "".join(chr(c) for c, d in _FOLD.items() if d == ord(digit))
    return digit + folded + chinese_numerals(digit)


def chinese_numerals(digit: str) -> str:
    """The Chinese numerals a digit may be spelled with (一三九…, _SPELLED)."""
    return "".join(ch for ch, d in zip(_SPELLED_DIGITS, _SPELLED_VALUES, strict=True) if d == digit)


class Masker:
    """Masks text for one county: `allowed` holds the contact details it publishes on
    purpose (normalised by `normalise_contact`)."""

    def __init__(self, allowed: Iterable[str] = ()):
        self.allowed = frozenset(normalise_contact(a) for a in allowed if a)
        # A published landline may be written without its area code.
        self.allowed_local = frozenset(split[1] for a in self.allowed if (split := _landline_split(a)))

    # The public entry points.

    def mask(self, text: str, *, names: Iterable[str] = ()) -> str:
        if not text:
            return text
        spans = self.spans(text, names=names)
        if not spans:
            return text
        out, last = [], 0
        for span in spans:
            out.append(text[last : span.start])
            out.append(span.replacement)
            last = span.end
        out.append(text[last:])
        return "".join(out)

    def spans(self, text: str, *, names: Iterable[str] = ()) -> list[Span]:
        """Every piece of personal data in `text`, in order, none overlapping."""
        if not text:
            return []
        # Read as the reader sees it: a zero-width space or a soft hyphen between a
        # phone's digits is no reason to publish it. The spans are of `text` itself,
        # the invisible characters inside one masked with it.
        seen, where = text_rules.without_format(text)
        folded = fold(seen)
        found = [
            *self._numbers(folded),
            *self._parenthesised_landlines(folded),
            *self._emails(folded),
            *self._patterns(folded),
            *self._names(folded),
            *self._known(folded, names),
        ]
        spans = _without_overlaps(found)
        if where is None:
            return spans
        return [replace(s, start=where[s.start], end=where[s.end - 1] + 1) for s in spans]

    def _is_allowed(self, digits: str) -> bool:
        if digits in self.allowed:
            return True
        split = _landline_split(digits)
        if split is None:  # a local number, written without its area code
            return digits in self.allowed_local
        return split[1] in self.allowed  # listed without an area code: the county's own

    # Numbers.

    def _numbers(self, folded: str) -> list[Span]:
        spans = []
        for run in _RUN.finditer(folded):
            groups = [(m.start() + run.start(), m.end() + run.start()) for m in _GROUP.finditer(run.group())]
            spans += self._read_run(folded, groups)
        return spans

    def _read_run(self, folded: str, groups: list[tuple[int, int]]) -> list[Span]:
        """Read a run of groups from the left, each time as the longest stretch of
        groups that is one kind of number; a stretch of several groups must be one
        number's formatting (the same separator throughout, no group over 8 digits)."""
        spans, i = [], 0
        while i < len(groups):
            joined = folded[groups[i - 1][1] : groups[i][0]].strip(" \t") if i else ""
            if joined == "." or (joined in ("/", "_") and groups[i][1] - groups[i][0] < 7):
                # After a decimal point or a date's dot or slash: part of a number begun
                # before. A phone after a slash is one of its own (0778-8123456/139…).
                i += 1
                continue
            for j in range(len(groups), i, -1):
                if j - i > 1 and not _formatted_as_one(folded, groups[i:j]):
                    continue
                start, end = groups[i][0], groups[j - 1][1]
                digits = "".join(folded[a:b] for a, b in groups[i:j]).upper()
                kind = self._classify(
                    digits, folded[max(0, start - 14) : start], folded[end : end + 4], rest=folded[end : end + 60]
                )
                if kind is not None:
                    if kind == Kind.MOBILE and len(digits) > 11 and folded[start - 1 : start] == "+":
                        start -= 1  # +86: the masked number writes its own plus
                    if kind != "allowed":
                        spans.append(Span(start, end, kind, _masked_number(kind, digits)))
                    i = j
                    break
            else:
                i += 1
        return spans

    @staticmethod
    def _someones_own(before: str, rest: str) -> bool:
        """Whether the label's sentence says the account is a person's own (我的对公账户,
        转到对公账户…，户名写我本人): before the number, or after it to the sentence's end."""
        sentence_rest = re.split(r"[.!?;。！？；\n]", rest, maxsplit=1)[0]
        return bool(_SOMEONES_OWN.search(before) or _SOMEONES_OWN.search(sentence_rest))

    def _classify(self, d: str, before: str, after: str, rest: str = "") -> str | None:
        if d.endswith("X"):
            labelled = len(d) == 18 and _ID_LABEL.search(before)
            return Kind.ID_NUMBER if (_is_id(d) and _id_checks(d)) or labelled else None
        n = len(d)
        labelled_mobile = _is_mobile(d) and _PHONE_LABEL.search(before)
        if (_QUANTITY_AFTER.match(after) or _QUANTITY_BEFORE.search(before)) and not labelled_mobile:
            return None  # 13800000000元 is an amount; 电话13812345678元 a phone
        phone = None
        if _is_mobile(d) or (n == 13 and d.startswith("86") and _is_mobile(d[2:])):
            phone = Kind.MOBILE
        elif _landline_split(d) is not None or (7 <= n <= 8 and d[0] in "23456789" and _PHONE_LABEL.search(before)):
            phone = Kind.LANDLINE
        if phone is not None:
            return "allowed" if self._is_allowed(d[-11:] if phone == Kind.MOBILE else d) else phone
        if n == 18 and ((_is_id(d) and _id_checks(d)) or _ID_LABEL.search(before)):
            return Kind.ID_NUMBER
        if n == 15 and _is_old_id(d) and _ID_LABEL.search(before):
            return Kind.ID_NUMBER
        if 16 <= n <= 19 and d[0] in "3456" and _luhn(d):
            return Kind.BANK_CARD
        if _PUBLIC_ACCOUNT_LABEL.search(before) and not self._someones_own(before, rest):
            # Never a card's number, whoever's label it follows: a card may start with
            # any digit (9558…), and a personal card after 对公账户 was published whole
            # (an attacker's trial).
            return Kind.BANK_CARD if 16 <= n <= 19 and _luhn(d) else None
        if 10 <= n <= 25 and _CARD_LABEL.search(before):
            return Kind.BANK_CARD
        if 5 <= n <= 11 and _QQ_LABEL.search(before):
            return Kind.ACCOUNT
        return None

    def _parenthesised_landlines(self, folded: str) -> list[Span]:
        spans = []
        for m in re.finditer(r"\((0\d{2,3})\)\s?([2-9]\d{6,7})(?!\d)", folded):
            digits = m.group(1) + m.group(2)
            if _landline_split(digits) and not self._is_allowed(digits):
                spans.append(Span(m.start(), m.end(), Kind.LANDLINE, _masked_number(Kind.LANDLINE, digits)))
        # A mobile's first three in brackets: (138)1234-5678.
        for m in re.finditer(rf"\((1[3-9]\d)\)\s?(\d{{4}}){_SEPARATOR}?(\d{{4}})(?!\d)", folded):
            digits = "".join(m.groups())
            if not self._is_allowed(digits):
                spans.append(Span(m.start(), m.end(), Kind.MOBILE, _masked_number(Kind.MOBILE, digits)))
        return spans

    # Text patterns.

    def _emails(self, folded: str) -> list[Span]:
        spans = []
        for m in _EMAIL.finditer(folded):
            local, domain = _AT_WRITTEN.split(m.group(), maxsplit=1)
            address = f"{local}@{_DOT_WRITTEN.sub('.', domain)}"  # as the list holds it
            if address.lower() in self.allowed:
                continue
            local, domain = address.split("@", 1)
            spans.append(Span(m.start(), m.end(), Kind.EMAIL, f"{local[0]}***@{domain}"))
        return spans

    def _patterns(self, folded: str) -> list[Span]:
        return [
            *(Span(m.start(1), m.end(1), Kind.ACCOUNT, _masked_account(m.group(1))) for m in _WECHAT.finditer(folded)),
            *(Span(m.start(), m.end(), Kind.PLATE, _plate_head(m.group()) + "*" * 5) for m in _PLATE.finditer(folded)),
            *(
                Span(m.start(1), m.end(1), Kind.ADDRESS, "***")
                for m in _ADDRESS.finditer(folded)
                if not _an_institutions_address(folded, m) and not _a_count(folded, m)
            ),
            *(Span(m.start(1), m.end(1), Kind.ADDRESS, "***") for m in _DOORPLATE.finditer(folded)),
            *self._spelled_numbers(folded),
        ]

    def _spelled_numbers(self, folded: str) -> list[Span]:
        """A mobile number or an ID number written in Chinese numerals, or in them
        and Arabic digits mixed: 一三九一二三四五六七八, 138一二三四5678,
        四五零一二三一九九零零一零一一二三四; and either in its groups with anything
        between them (_LOOSE_MOBILE, _LOOSE_ID)."""
        return [
            *self._written(folded, _SPELLED, _LOOSE_MOBILE, Kind.MOBILE),
            *self._written(folded, _SPELLED_ID, _LOOSE_ID, Kind.ID_NUMBER),
        ]

    def _written(self, folded: str, spelled: re.Pattern, loose: re.Pattern, kind: str) -> list[Span]:
        spans = []
        for pattern in (spelled, loose):
            for m in pattern.finditer(folded):
                if pattern is spelled and not any(ch in _SPELLED_DIGITS for ch in m.group()):
                    continue  # Arabic digits alone: _numbers reads them
                before = folded[max(0, m.start() - 14) : m.start()]
                if pattern is loose and self._in_a_list(folded, m):
                    continue
                listed = pattern is loose and _LISTING.search(m.group())
                written = re.sub(rf"[^{_NOT_D}Xx]", "", m.group())
                digits = written.translate(_CHINESE_DIGITS).upper()
                if kind == Kind.MOBILE:
                    labelled = not listed or _PHONE_LABEL.search(before)
                    if _is_mobile(digits) and labelled and not self._is_allowed(digits):
                        spans.append(Span(m.start(), m.end(), kind, written[:3] + "****" + written[-4:]))
                elif _is_id(digits) and (_id_checks(digits) or _ID_LABEL.search(before)):
                    spans.append(Span(m.start(), m.end(), kind, written[:4] + _stars(10) + written[-4:]))
        return spans

    @staticmethod
    def _in_a_list(folded: str, m: re.Match) -> bool:
        """Whether the groups `m` found go on before or after it (a list of numbers,
        not one number), or are an amount or a count (150，2000，3000元)."""
        before, after = folded[max(0, m.start() - 14) : m.start()], folded[m.end() : m.end() + 6]
        return bool(
            _LOOSE_BEFORE.search(before)
            or _LOOSE_AFTER.match(after)
            or _QUANTITY_AFTER.match(after)
            or _QUANTITY_BEFORE.search(before)
        )

    def _names(self, folded: str) -> list[Span]:
        spans = []
        for cue in _NAME_CUES:
            weak, greeted = cue is _SELF_INTRODUCED, cue in _GREETINGS
            for m in cue.finditer(folded):
                name = next(g for g in m.groups() if g)
                start = m.start(m.groups().index(name) + 1)
                end = self._name(spans, folded, m.start(), start, name, weak=weak, greeted=greeted)
                # The addressees after the first, as its pattern read them (_LIST_TAIL).
                for _ in range(9 if greeted else 0):
                    other = _NEXT_ADDRESSEE.match(folded, end)
                    if other is None:
                        break
                    end = self._name(spans, folded, m.start(), other.start(1), other.group(1), greeted=True)
        for cue in _SPLIT_NAMES:
            for m in cue.finditer(folded):
                given = m.group("given")
                if (
                    given.startswith(_NOT_NAMES + _ROLES)
                    or given in _TITLES
                    or given in _KIN_ADDRESSES
                    or any(p in given for p in _NAME_PLACEHOLDERS)
                ):
                    continue
                keep = len(m.group("surname")) if given.startswith(m.group("surname")) else 0
                stars = "*" * len(re.sub(r"[ \t]", "", given[keep:]))
                spans.append(Span(m.start("given"), m.end("given"), Kind.NAME, given[:keep] + stars))
        for greeting in _ACCOUNT_GREETINGS:
            for m in greeting.finditer(folded):
                name = m.group(1)
                if name in _NOT_ACCOUNTS or name.endswith("的") or name.startswith("们"):
                    continue
                spans.append(Span(m.start(1), m.end(1), Kind.ACCOUNT, _masked_account(name)))
        return spans

    @staticmethod
    def _name(
        spans: list[Span], folded: str, cue_start: int, start: int, name: str, *, weak=False, greeted=False
    ) -> int:
        """Add the name found at `start` after a cue (at `cue_start`) to `spans` unless it
        is no one's (a placeholder, a word, a title, a kinship term, what the writer is);
        where it ends."""
        name = _as_spaced(name, folded[start + len(name) : start + len(name) + 4])
        end = start + len(name)
        bare = re.sub(r"[ \t]", "", name)
        if (
            not any(p in bare for p in _NAME_PLACEHOLDERS)
            and not _starts_with_a_word(bare)
            and bare not in NOT_NAMES  # 居民同志：, 游客您好
            and not bare.endswith(("族", "人"))  # 我是毛南族, 我是宁夏人: a people, a place's
            and not _is_title(bare, folded[cue_start:start], folded[end:], greeted=greeted)
            and bare[_surname_length(bare) :] not in _KIN_ADDRESSES
            and bare not in _KIN_ADDRESSES  # 阿姨您好: 阿 is a surname too
            and not ((weak or greeted) and _what_not_who(bare, folded[end : end + 8]))
            and not (weak and bare in _WORDS_AFTER_WEAK_CUES)
            and not (greeted and bare in _GREETED_WORDS)
        ):
            spans.append(Span(start, end, Kind.NAME, _masked_name(bare)))
        return end

    def _known(self, folded: str, names: Iterable[str]) -> list[Span]:
        """The citizen's own name and account names, wherever they appear: a Chinese
        name in traditional characters too (韋志明 for 韦志明) and with spaces between
        its characters (韦 志 明)."""
        spans = []
        forms = {form for n in names if n and n.strip() not in NOT_NAMES for form in _name_forms(fold(n).strip())}
        simplified = casefolded = None
        for name in forms:
            if len(name) < 2:
                continue
            # Each name is a pattern of its own, compiled for it (a millisecond for an
            # account's, case-insensitive), and each message has its own citizen: an
            # import of 100,000 rows spent more time compiling these than anything
            # else. Most texts do not hold the name at all; asked cheaply first.
            text = folded
            if name.isascii():
                if casefolded is None:
                    casefolded = folded.casefold()
                if name.casefold() not in casefolded:
                    continue
                pattern = rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])"
                flags = re.I
            elif _ALL_HAN.fullmatch(name):
                if simplified is None:  # one character for one: the same positions
                    simplified = folded.translate(_simplifying())
                characters = name.translate(_simplifying())
                if any(ch not in simplified for ch in characters):
                    continue
                text, flags = simplified, 0
                pattern = r"[ \t]?".join(re.escape(ch) for ch in characters)
            elif name not in folded:
                continue
            else:
                pattern, flags = re.escape(name), 0
            han = bool(_HAN_FIRST.match(name))
            for m in re.finditer(pattern, text, flags):
                found = _SPACE.sub("", folded[m.start() : m.end()])  # as written
                replacement = _masked_name(found) if han else _masked_account(found)
                spans.append(Span(m.start(), m.end(), Kind.NAME if han else Kind.ACCOUNT, replacement))
        return spans


_ALL_HAN = re.compile(rf"[{HAN}]+")
_HAN_FIRST = re.compile(rf"[{HAN}]")
_SPACE = re.compile(r"[ \t]")


# What citizens (and other platforms' exports, for a message without a name) put where
# a name goes that is no one's name: masked as one, "网民反映…" read "网*反映…" on every
# such message, and "网民朋友您好" in the unit's reply.
NOT_NAMES = frozenset(
    {
        "网民",
        "网友",
        "匿名",
        "匿名网民",
        "匿名网友",
        "匿名用户",
        "市民",
        "热心市民",
        "热心网友",
        "群众",
        "居民",
        "村民",
        "游客",
    }
)


@cache
def _simplifying() -> dict[int, str]:
    """str.translate's table of traditional characters to simplified, one for one."""
    return {ord(t): simple for t, simple in text_rules.traditional_to_simplified().items()}


# How a name is given with a form of address: 张三先生, 李四女士.
_FORM_OF_ADDRESS = re.compile("(?:先生|女士|小姐|同志|老师|师傅|阿姨|大爷|大妈|大姐|大哥)$")


def _name_forms(name: str) -> set[str]:
    """A name as given and, when it carries more than a person's name (张三😀,
    😀张三, 张三（先生）, 张三先生, 张三123), the name itself: each run of Chinese
    characters in it, without a form of address (a run that is one, 先生, is none).
    A reply says "张三您好", and only the name as given was looked for."""
    forms = {name}
    for run in re.findall(rf"[{HAN}]{{2,}}", name):
        bare = _FORM_OF_ADDRESS.sub("", run)
        if 2 <= len(bare) <= 4:
            forms.add(bare)
    return forms


def _formatted_as_one(folded: str, groups: list[tuple[int, int]]) -> bool:
    """Whether groups are one number as written: separated by spaces and dashes in any
    mix (138 1234-5678), or by one sign throughout (138.1234.5678), none of them a
    decimal point (3.1415926) or a date's (2026.03.15: its groups too few digits to
    be a phone's)."""
    separators = [folded[groups[k][1] : groups[k + 1][0]].strip(" \t") for k in range(len(groups) - 1)]
    signs = {sep for sep in separators if sep and sep not in "-\n"}
    if len(signs) > 1 or (signs and len(set(separators)) > 1):
        return False
    if signs:
        # A dot, slash or underscore joins only a phone's groups: a mobile's 3-4-4, or
        # an area code and a local number (0778.8212345); not 138.12345678 公顷.
        sizes = tuple(b - a for a, b in groups)
        area = len(groups) == 2 and folded[groups[0][0]] == "0" and sizes[0] in (3, 4) and sizes[1] in (7, 8)
        return sizes == (3, 4, 4) or area
    # A group longer than 8 is a number on its own, unless all but its last few digits
    # (an ID number written 16 + 2, a card 12 + 4).
    return all(b - a <= 8 for a, b in groups[:-1]) or (len(groups) == 2 and groups[1][1] - groups[1][0] <= 4)


def _without_overlaps(spans: list[Span]) -> list[Span]:
    """The longest of overlapping finds wins; the rest are dropped. The finds kept are
    held in order and none overlaps another, so a find need only be checked against
    its two neighbours: a text of thousands of finds (我叫张三 typed over and over)
    took seconds checked against them all."""
    kept: list[Span] = []
    starts: list[int] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        i = bisect.bisect_right(starts, span.start)
        if (i == 0 or kept[i - 1].end <= span.start) and (i == len(kept) or span.end <= kept[i].start):
            kept.insert(i, span)
            starts.insert(i, span.start)
    return kept


_DEFAULT = Masker()


def mask(text: str, *, names: Iterable[str] = (), allowed: Iterable[str] = ()) -> str:
    """The text with its personal data masked (see the module's docstring)."""
    masker = Masker(allowed) if allowed else _DEFAULT
    return masker.mask(text, names=names)
