"""A generated corpus for measuring the masking: personal data inside realistic
sentences, and sentences without any but full of dates, serials, money and numbers.

Each personal sample names its secrets: the substrings that must not survive
masking (the whole number or address as written, the name, the account). Recall is
the share of samples none of whose secrets survive; the false-positive rate is the
share of clean sentences that masking changes at all. The contexts are the citizens'
messages and the units' replies of the demo county (`wenzheng.demo.texts`), with the
personal data put before, inside or after them, in the many ways people write it:
full-width digits from a Chinese input method, spaces and dashes, labels or none,
+86, a lower-case x, Chinese numerals for a villager group.

Deterministic for a seed; `bench/masking.py` prints the figures and the test suite
fails below target (wenzheng/privacy/tests/test_masking_corpus.py).
"""

import random
from dataclasses import dataclass

from wenzheng.demo import texts

from .masking import fold


@dataclass(frozen=True)
class Sample:
    text: str
    kind: str
    secrets: tuple[str, ...] = ()


# The hotlines the benchmark's county publishes on purpose (its allow-list).
ALLOWED = ("0778-8212345", "0778-8216110", "0778-8213322", "12345")

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "149", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "162", "165", "166", "167", "170", "171", "172", "173", "175", "176",
    "177", "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191", "192", "193",
    "195", "196", "197", "198", "199",
)  # fmt: skip
AREA_CODES = (
    "0778", "0771", "0772", "0773", "0774", "0775", "0776", "0777", "0779", "010", "020", "021", "0755", "028",
)  # fmt: skip
ID_REGIONS = (
    "450225", "450221", "450222", "450226", "450227", "450102", "450103", "452701", "110101", "440305",
    "510107", "430104", "330106", "320102", "370202", "420106", "350203", "460105", "640104", "532101",
)  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范廖贾夏韦付方邹孟熊秦邱尹薛闫段雷侯史陶黎贺顾毛郝龚邵钱严覃戴莫孔汤常温康施牛樊葛邢易乔伍庞颜"
    "倪庄聂鲁岳翟殷詹欧耿兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕蒙蓝银谌粟磨卜岑"
    # Common surnames that are also everyday words (高, 金, 石…, as 常, 方, 任 above).
    "高金石白江万文龙成安"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "司徒")
GIVEN = (
    "志明海燕军华丽红玉芳建国勇平春梅秀英德强伟霞文杰金凤桂兰永福家宝成胜光荣小云庆生丹雪晓东子涵浩然思琪"
    "宇轩欣怡俊杰婷婷嘉豪雨萱佳颖梓涵一鸣昊天诗雨振兴立新卫东爱民秋菊冬梅翠萍桂芳金花石生玉兰少华世杰"
)
ROADS = ("凤凰路", "城西大道", "解放路", "东门街", "城北路", "环城路", "民族路", "龙潭路", "新城大道", "武阳路",
         "文化路", "朝阳街", "人民路", "建设路", "中山路", "滨江路")  # fmt: skip
DISTRICTS = ("A区", "B区", "C区", "二期", "东区", "1区", "三期B区", "Ａ区")
ESTATES = ("幸福小区", "凤凰花园", "龙潭家园", "城北新村", "阳光公寓", "锦绣苑", "教育局宿舍", "金龙大厦", "滨江花园")
NUMERALS = "一二三四五六七八九十"
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
MAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "hotmail.com", "foxmail.com", "139.com",
                "yeah.net", "outlook.com", "sohu.com")  # fmt: skip
PINYIN = ("zhang", "wang", "li", "liu", "chen", "huang", "wei", "qin", "liang", "meng", "xiaoming", "haiyan",
          "lan", "jun", "hua", "fang", "mei", "qiang", "wei", "tao", "lcx", "gx")  # fmt: skip
NICKNAMES = ("快乐的小鱼", "山里人", "罗城老百姓", "追风少年", "静待花开", "龙岸人家", "阳光男孩", "小小草",
             "平凡人生", "城北居民", "一只小蚂蚁", "凤凰山下")  # fmt: skip


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


class Generator:
    """Personal-data snippets and clean sentences, from one seeded random source."""

    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self.contexts = _contexts()
        self.replies = _replies()

    def pick(self, items):
        return self.rng.choice(items)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def digits(self, n: int) -> str:
        return "".join(self.pick("0123456789") for _ in range(n))

    # --- how numbers are written ----------------------------------------------------

    def grouped(self, number: str, sizes) -> str:
        """The number in groups of `sizes`, joined by a space or a dash."""
        sep = self.pick((" ", "-", " "))
        out, i = [], 0
        for size in sizes:
            out.append(number[i : i + size])
            i += size
        if i < len(number):
            out.append(number[i:])
        return sep.join(p for p in out if p)

    def styled(self, number: str, sizes=None) -> str:
        text = self.grouped(number, sizes) if sizes and self.chance(0.35) else number
        if self.chance(0.15):
            text = _full_width(text)
        return text

    # --- the kinds of personal data ---------------------------------------------------

    def mobile(self):
        number = self.pick(MOBILE_PREFIXES) + self.digits(8)
        written = self.styled(number, (3, 4, 4))
        if self.chance(0.08):
            written = self.pick(("+86 ", "+86-", "86-", "+86")) + written
        elif self.chance(0.03):
            written = number.translate(str.maketrans("0123456789", "零一二三四五六七八九"))
        labels = ("我的电话", "联系电话：", "手机号", "电话", "手机：", "请打", "联系方式：", "我的手机是", "", "", "")
        label = self.pick(labels)
        return f"{label}{written}", (written,)

    def landline(self):
        area = self.pick(AREA_CODES)
        local = self.pick("2345678") + self.digits(self.pick((6, 7)) if len(area) == 3 else 6)
        style = self.rng.random()
        if style < 0.3:
            written = f"{area}-{local}"
        elif style < 0.45:
            written = f"{area} {local}"
        elif style < 0.6:
            written = f"{self.pick(('(', '（'))}{area}{self.pick((')', '）'))}{local}"
        elif style < 0.75:
            written = f"{area}{local}"
        else:
            label = self.pick(("电话：", "座机", "座机号码是", "固话：", "家里电话", "联系电话", "电话号码为"))
            return f"{label}{self.styled(local)}", (local,)
        if self.chance(0.15):
            written = _full_width(written)
        label = self.pick(("家里座机", "电话：", "固定电话", "联系电话：", "", ""))
        # The area code is public; the local number is the secret.
        return f"{label}{written}", (local,)

    def id_number(self):
        region = self.pick(ID_REGIONS)
        year = self.rng.randint(1940, 2012)
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        body = f"{region}{year}{month:02d}{day:02d}{self.digits(3)}"
        check = _id_check_digit(body)
        if check == "X" and self.chance(0.3):
            check = "x"
        number = body + check
        written = self.styled(number, (6, 8, 4))
        label = self.pick(("身份证号", "身份证号码：", "身份证", "证件号码", "身份证号是", "公民身份号码", "", ""))
        return f"{label}{written}", (written,)

    def bank_card(self):
        length = self.pick((16, 19, 19))
        issuer = self.pick(("6222", "6217", "6228", "6212", "6230", "6214", "6259", "4367", "5187", "6210"))
        body = issuer + self.digits(length - 5)
        number = body + _luhn_digit(body)
        written = self.styled(number, (4, 4, 4, 4))
        label = self.pick(
            (
                "银行卡号",
                "卡号：",
                "账号",
                "工资卡",
                "社保卡号",
                "银行账号：",
                "收款账户",
                "对公账户：",
                "单位账号",
                "",
                "",
            )
        )
        return f"{label}{written}", (written,)

    def bank_account(self):
        """An account number with no check digit: found by its label alone."""
        number = self.pick(("45001", "20", "6602", "1300")) + self.digits(self.rng.randint(8, 14))
        label = self.pick(("账号", "银行账号：", "收款账户：", "开户账号", "存折账号"))
        return f"{label}{number}", (number,)

    def email(self):
        local = self.pick(PINYIN) + self.pick(("", "", ".", "_")) + self.pick((self.digits(self.rng.randint(2, 6)), ""))
        if self.chance(0.25):
            local = self.pick("123456789") + self.digits(self.rng.randint(6, 9))
        domain = self.pick(MAIL_DOMAINS)
        at = "＠" if self.chance(0.1) else "@"
        written = f"{local}{at}{domain}"
        label = self.pick(("邮箱", "电子邮箱：", "我的邮箱是", "E-mail：", "请发到", ""))
        return f"{label}{written}", (written,)

    def plate(self):
        tail_len = 6 if self.chance(0.2) else 5
        tail = "".join(self.pick(PLATE_LETTERS + "0123456789" * 2) for _ in range(tail_len - 1)) + self.digits(1)
        if tail_len == 6:
            tail = self.pick("DF") + tail[1:]
        sep = self.pick(("", "", "·", " "))
        written = f"{self.pick(PROVINCES)}{self.pick(PLATE_LETTERS)}{sep}{tail}"
        if self.chance(0.1):
            written = written.lower()
        label = self.pick(("车牌", "车牌号", "我的车", "车号为", "一辆", ""))
        return f"{label}{written}", (written,)

    def address(self):
        place, _, villages = self.pick(texts.TOWNSHIPS)
        style = self.rng.random()
        district = ""
        if style < 0.3:
            village = self.pick(villages)
            r = self.rng
            house = self.pick(
                (f"{r.randint(1, 12)}组{r.randint(1, 80)}号", f"{self.pick(NUMERALS)}组", f"{r.randint(1, 12)}组",
                 f"第{r.randint(1, 9)}组{r.randint(1, 60)}号")
            )  # fmt: skip
            text = f"{place}{village}{house}"
        elif style < 0.6:
            house = f"{self.rng.randint(1, 300)}号"
            if self.chance(0.3):
                house += self.pick((f"{self.rng.randint(1, 9)}栋", f"{self.rng.randint(1, 6)}楼", "附1号"))
            text = f"{self.pick(ROADS)}{house}"
        elif style < 0.9:
            r = self.rng
            house = self.pick(
                (
                    f"{r.randint(1, 20)}栋{r.randint(1, 4)}单元{r.randint(1, 18)}0{r.randint(1, 4)}室",
                    f"{r.randint(1, 20)}号楼{r.randint(1, 4)}单元{r.randint(101, 1804)}",
                    f"{r.randint(1, 20)}-{r.randint(1, 4)}-{r.randint(101, 1804)}",
                    f"{r.randint(1, 20)}幢{r.randint(101, 1804)}室",
                    f"{r.randint(1, 20)}栋{r.randint(101, 1804)}",
                )
            )
            # An estate's district or phase (幸福花园A区3栋…), kept as a road's section is;
            # a 的 before the house (锦绣小区的5号楼3单元602室).
            district = self.pick(DISTRICTS) if self.chance(0.25) else ""
            of = "的" if self.chance(0.1) else ""
            text = f"{self.pick(('东门镇', '', '县城'))}{self.pick(ESTATES)}{district}{of}{house}"
            district += of
        else:
            village = self.pick(villages).replace("村", "屯").replace("社区", "屯")
            house = f"{self.rng.randint(1, 99)}号"
            text = f"{place}{village}{house}"
        secret = house if district else text[_house_start(text) :]
        label = self.pick(("我家住", "家住", "住址：", "我住在", "地址是", "住", "现住"))
        if 0.3 <= style < 0.6 and self.chance(0.15):
            # A home beside an institution: the institution's name is no reason to publish it.
            text += self.pick(("县人民医院旁边", "，离县政务服务中心不远", "东门镇派出所对面", "县实验小学后面"))
        return f"{label}{text}", (secret,)

    def person(self) -> str:
        surname = self.pick(COMPOUND_SURNAMES) if self.chance(0.04) else self.pick(SURNAMES)
        return surname + self.pick(GIVEN) + (self.pick(GIVEN) if self.chance(0.65) else "")

    def name(self):
        if self.chance(0.15):
            return self.split_name()
        name = self.person()
        if self.chance(0.05):
            # A name that starts like a word said after a cue (我是白天建，, 我是高兴华，).
            name = self.pick(("白天", "高兴", "黎明")) + self.pick(GIVEN)
        cue = self.pick(
            (
                ("我叫", "，"),
                ("我的名字叫", "，"),
                ("姓名：", "，"),
                ("姓名:", " "),
                ("本人", "，"),
                ("本人叫", "，"),
                ("联系人：", "，"),
                ("我是", "，"),
                ("户主叫", "，"),
                ("我父亲叫", "，"),
                ("申请人：", "。"),
                ("我叫", "，家住"),
                ("本人", "，男，"),
                ("我是", "，今年"),
                # A self-introduction, the name ended as a name is (我是常梅轩，住在…).
                ("我是", "，住在"),
                ("本人", "，电话"),
                ("我是", "的母亲，"),
                ("我是", " 家住"),
            )
        )
        written = name
        if cue[0] in ("我叫", "姓名：", "我的名字叫") and self.chance(0.1):
            # Typed spaced: 我叫张 三, 张　三 of a full-width space, 张  三 lined up.
            surname = 2 if name[:2] in COMPOUND_SURNAMES else 1
            written = name[:surname] + self.pick((" ", "　", "  ")) + name[surname:]
        return f"{cue[0]}{written}{cue[1]}", (name,)

    def split_name(self):
        """A name given in two parts around 姓: the given name is the secret (the
        surname is kept, as in 张*), read with the word before it."""
        surname = self.pick(COMPOUND_SURNAMES) if self.chance(0.04) else self.pick(SURNAMES)
        given = self.pick(GIVEN) + (self.pick(GIVEN) if self.chance(0.65) else "")
        sep = self.pick(("，", "，", " ", "\n", ","))
        form = self.pick(
            (
                (f"我姓{surname}{sep}叫", f"{given}，"),
                (f"本人姓{surname}名", f"{given}，"),
                (f"我姓{surname}{sep}名叫", f"{given}。"),
                (f"免贵姓{surname}{sep}名字是", f"{given}，"),
                ("我叫", f"{given}{sep}姓{surname}，"),
                (f"我父亲姓{surname}{sep}叫", f"{given}，今年"),
                # A given name of one character, said as one.
                (f"我儿子姓{surname}{sep}单名一个", f"{given[0]}字，"),
            )
        )
        given = given[0] if form[0].endswith("单名一个") else given
        secret = form[0][-1] + given  # 叫小明, 名强: the given name where it was said
        return f"{form[0]}{form[1]}", (secret,)

    def particulars(self):
        """A statement that opens with the writer's particulars."""
        name = self.person()
        sex = self.pick("男女")
        born, age = self.rng.randint(1940, 2005), self.rng.randint(20, 90)
        tail = self.pick((f"，{sex}，{born}年出生，", f"，{sex}，汉族，", f"（{sex}），", f"，{sex}，现年{age}岁，"))
        return f"{name}{tail}", (name,)

    def account_greeting(self):
        style = self.rng.random()
        if style < 0.45:
            account = self.pick(("UU", "uu", "wz", "用户", "网友", "LC")) + self.digits(self.rng.randint(5, 9))
        elif style < 0.7:
            account = self.pick(PINYIN) + self.digits(self.rng.randint(2, 5))
        else:
            account = self.pick(NICKNAMES)
        form = self.pick(
            (
                f"网友{account}您好！",
                f"网友{account}，您好！",
                f"{account}网友：您好！",
                f"网友“{account}”您好：",
                f"{account}网友您好，",
                f"网民{account}你好！",
            )
        )
        return form, (account,)

    def honorific(self):
        name = self.person()
        form = self.pick(
            (f"尊敬的{name}先生：", f"尊敬的{name}女士：您好！", f"{name}同志：您好！", f"{name}先生您好，")
        )
        return form, (name,)

    def greeting(self):
        """A reply's greeting or salutation addressed to a name (whoever the unit thinks
        wrote, not the name on the form), at the start of the reply or of a line: before
        the greeting or after it, beside another's (张三、李四您好)."""
        name = self.person()
        if self.chance(0.1):
            name = "于" + name[_surname_length(name) :]  # 于 is "at" too
        if self.chance(0.15):
            other = self.person()
            form = self.pick(
                (
                    f"{name}、{other}您好！",
                    f"{name}、{other}：您好！",
                    f"{other}、{name}你好，",
                    f"{name}和{other}你们好！",
                    f"尊敬的{name}、{other}：",
                    f"致{name}、{other}：",
                    f"您好，{name}、{other}！",
                )
            )
            return form, (name, other)
        form = self.pick(
            (
                f"{name}您好！",
                f"{name}你好，",
                f"{name}，您好！",
                f"{name}：您好！",
                f"{name}：\n您好！",
                f"{name}同志：",
                f"{name}先生/女士您好：",
                f"{name}先生（女士）：您好！",
                f"{name}女士：",
                f"致{name}：",
                f"致{name}同志：",
                f"亲爱的{name}：",
                f"答复意见：\n{name}您好！",
                f"您好，{name}！",
                f"您好，{name}：",
                f"你好，{name}。",
            )
        )
        return form, (name,)

    def im(self):
        if self.chance(0.5):
            number = self.pick("123456789") + self.digits(self.rng.randint(5, 9))
            label = self.pick(("QQ：", "QQ号", "qq", "QQ号码是", "扣扣"))
            return f"{label}{number}", (number,)
        # A WeChat ID is 6 to 20 letters, digits, _ or -, starting with a letter.
        handle = self.pick(PINYIN) + self.pick(("_", "", "-")) + self.digits(self.rng.randint(4, 8))
        label = self.pick(("微信：", "微信号", "微信号是", "vx：", "wechat:"))
        return f"{label}{handle}", (handle,)

    KINDS = (
        ("mobile", 0.20),
        ("landline", 0.08),
        ("id_number", 0.12),
        ("bank_card", 0.06),
        ("bank_account", 0.02),
        ("email", 0.07),
        ("plate", 0.06),
        ("address", 0.13),
        ("name", 0.10),
        ("particulars", 0.02),
        ("account_greeting", 0.08),
        ("honorific", 0.03),
        ("greeting", 0.03),
        ("im", 0.03),
    )

    def personal(self) -> Sample:
        kind = self.rng.choices([k for k, _ in self.KINDS], weights=[w for _, w in self.KINDS])[0]
        snippet, secrets = getattr(self, kind)()
        if kind in ("account_greeting", "honorific", "greeting"):
            text = snippet + self.pick(self.replies)
        elif kind == "particulars":
            text = snippet + self.pick(self.contexts)
        else:
            context = self.pick(self.contexts)
            where = self.rng.random()
            if where < 0.35:
                text = f"{snippet}，{context}"
            elif where < 0.7:
                text = f"{context}{self.pick(('', '请联系', '如有需要请联系', '方便时请回电'))}{snippet}。"
            else:
                cut = self._cut(context)
                text = f"{context[:cut]}{snippet}，{context[cut:]}"
        return Sample(text=text, kind=kind, secrets=secrets)

    def _cut(self, context: str) -> int:
        stops = [i + 1 for i, ch in enumerate(context) if ch in "，。；！？"] or [len(context)]
        return self.pick(stops)

    # --- clean sentences ------------------------------------------------------------

    def clean(self) -> Sample:
        kind = self.pick(("numbers", "numbers", "numbers", "context", "reply", "words"))
        if kind == "words":
            return Sample(text=_fill(self.pick(TRAPS), self.rng), kind="clean_words")
        if kind == "context":
            return Sample(text=self.pick(self.contexts), kind="clean_message")
        if kind == "reply":
            text = self.pick(self.replies)
            if self.chance(0.5):
                text = text.replace("{tel}", "") + f"咨询电话：{self.pick(ALLOWED)}。"
            return Sample(text=text, kind="clean_reply")
        parts = [self.number_phrase() for _ in range(self.rng.randint(2, 4))]
        return Sample(text="，".join(parts) + "。", kind="clean_numbers")

    def number_phrase(self) -> str:
        r = self.rng
        y, m, d = r.randint(2018, 2027), r.randint(1, 12), r.randint(1, 28)
        hh, mm = r.randint(0, 23), r.choice((0, 15, 30, 45, r.randint(0, 59)))
        money = self.pick(
            (
                f"{r.randint(1, 9999)}元",
                f"{r.randint(1, 999)}.{r.randint(0, 99):02d}万元",
                f"人民币{r.randint(1, 99)}.{r.randint(1, 9)}亿元",
                f"¥{r.randint(1000, 99999):,}",
                f"{r.randint(10, 99)}{self.digits(9)}元",
                f"共计{r.randint(1000000, 99999999)}元",
                f"补助资金{r.randint(100000, 9999999)}元",
            )
        )
        return self.pick(
            (
                f"{y}年{m}月{d}日",
                f"{y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}",
                f"{y}/{m}/{d} {hh}:{mm:02d}:{r.randint(0, 59):02d}",
                f"{m}月{d}号上午{r.randint(8, 11)}点",
                f"于{y}{m:02d}{d:02d}受理",
                f"编号{y}-{r.randint(1, 999999):06d}",
                f"留言编号为{y}-{r.randint(1, 9999):06d}的留言",
                f"查询码K{self.digits(3)}H{self.digits(5)}",
                money,
                f"投资{r.randint(100, 99999)}万元",
                f"依据第{self.pick(NUMERALS)}条第{r.randint(1, 5)}款",
                f"《条例》第{r.randint(1, 199)}条",
                f"同比增长{r.randint(1, 99)}.{r.randint(0, 9)}%",
                f"回复率{r.randint(80, 100)}%",
                f"办结率为{r.randint(80, 99)}.{r.randint(1, 9)}%",
                f"桂政办发〔{y}〕{r.randint(1, 150)}号",
                f"罗政发〔{y}〕{r.randint(1, 60)}号文件",
                f"国道{r.randint(100, 399)}线",
                f"G{r.randint(10, 99)}高速",
                f"县道X{r.randint(100, 999)}",
                f"省道S{r.randint(200, 399)}",
                f"面积{r.randint(100, 99999)}平方米",
                f"全长{r.randint(1, 99)}.{r.randint(1, 9)}公里",
                f"海拔{r.randint(200, 1800)}米",
                f"今年{r.randint(18, 95)}岁",
                f"全县{r.randint(100, 200)}个村{r.randint(2, 20)}个社区",
                f"第{r.randint(1, 12)}组",
                f"{r.randint(1, 9)}号文件",
                f"{r.randint(1, 12)}号窗口",
                f"{r.randint(1, 30)}号楼会议室",
                f"邮编{self.pick(('547400', '547000', '530000'))}",
                f"拨打{self.pick(('12345', '12315', '110', '120', '12328', '12333'))}热线",
                f"咨询电话{self.pick(ALLOWED)}",
                f"工期{r.randint(30, 365)}天",
                f"共收到留言{r.randint(10, 9999)}条",
                f"受益群众{r.randint(1000, 99999)}人",
                f"{r.randint(1, 12)}至{r.randint(1, 12)}月",
                f"{hh}:{mm:02d}至{(hh + 2) % 24}:{mm:02d}",
                f"版本{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 20)}",
                f"第{r.randint(1, 4)}季度",
                f"{y}年度",
                f"1—{m}月",
                f"统一社会信用代码{r.randint(11, 93)}{self.digits(6)}MA{self.digits(1)}K{self.digits(7)}",
                f"城南社区{m}月{d}日",
                f"{self.pick(ROADS)}至{self.pick(ROADS)}路段",
                f"全县{r.randint(1, 50)}.{r.randint(1, 9)}万人",
                f"{r.randint(1, 5)}号线",
                f"财政专户账号{self.pick(('45001', '20501'))}{self.digits(15)}",
                f"对公账户：{self.pick(('45001', '20501'))}{self.digits(15)}",
            )
        )


# Sentences that read like the cues of personal data and hold none.
TRAPS = (
    "本人认为这个问题应当尽快解决，希望领导重视。",
    "我是一名退休教师，想咨询养老金调整的问题。",
    "我是{township}{village}的村民，反映一下路灯的问题。",
    "申请人向村委会提出申请，经公示后报乡镇审批。",
    "联系人：{unit}办公室。",
    "当事人应当在收到通知后十日内申请复议。",
    "我是外地来罗城务工人员，请问孩子能否在县城上学？",
    "本人于去年提交了材料，至今没有答复。",
    "户主应当持户口簿到派出所办理。",
    "姓名、联系方式等个人信息不予公开。",
    "各位网友您好！现将有关情况通报如下。",
    "尊敬的领导您好，{township}的路灯坏了很久。",
    "王家屯至李家村的道路年久失修。",
    "我叫了救护车，但是等了很久才到。",
    "本人已于上周向{unit}提交申请。",
    "我是个体户，想咨询营业执照年报的事。",
    "我是残疾人，请问有什么补贴政策？",
    "{street}与{street2}交叉口经常堵车。",
    "县人民医院住院部5楼的电梯经常坏。",
    "东门镇中学3楼会议室召开了家长会。",
    "网友您好！您反映的问题已转交{unit}办理。",
    "您好！收到您的留言后，{unit}高度重视。",
    "经核实，该路段属于{township}管辖。",
    "请携带户口簿、身份证原件到窗口办理。",
    "该项目总投资1380万元，计划2026年底完工。",
    "我是一位母亲，孩子今年上初中。",
    "本人高度重视此事，已安排专人处理。",
    "申请人应当如实填写申请表。",
    "联系人及联系方式见附件。",
    "我是党员，愿意带头参与村里的环境整治。",
    "何时能够完成{village}的道路硬化？",
    # A public institution's address, named beside it, is published on purpose.
    "请携带相关材料到县政务服务中心（{street}{n}号）办理。",
    "可到{township}派出所（地址：{street}{n}号）申请。",
    "县人民医院位于{street}{n}号，就诊请提前预约。",
    "{street}{n}号县政务服务中心二楼窗口可以办理。",
    "{school}（{street}{n}号）今年秋季学期招生。",
    "我姓名里有个生僻字，身份证无法办理。",
    "老百姓叫好的事情要多办。",
    "幸福小区二期工程已经完工，A区的路灯已修好。",
    "幸福小区的两栋楼都没有装电梯，老人上下楼很困难。",
    "锦绣苑的3栋楼共用一个化粪池。",
    # A surname and a kinship term: how people are called, not their names.
    "我是韦大哥，就住在{village}，路灯的事麻烦尽快处理。",
    "有事可以找我，我是王大姐。",
    "我是李老师傅，修了三十年的车。",
    # An institution's address after a comma or a 的.
    "{township}派出所，地址：{street}{n}号，工作日可以办理。",
    "县人民医院的地址是{street}{n}号。",
    "张家界旅游团的大巴经常停在{street}。",
    # What a writer is, after 我是 or 本人, rather than who: a role, a place, a grade, an
    # occupation, 常住 and 常年; a surname and a title (我是王老师) is no name either.
    "我是一名教师，学校门口的路灯坏了。",
    "我是本村村民，村里的水渠堵了。",
    "我是党员。愿意带头清理河道。",
    "我是常客。这家店缺斤少两不是一次两次了。",
    "本人常年在外务工，家里老人的低保怎么办理？",
    "我是高三学生，想咨询高考加分政策。",
    "本人高三，明年参加高考。",
    "我是该小区业主，物业费收得太高。",
    "我是张家村的，村口的桥需要维修。",
    "我是{village}的，{street}的路灯坏了很久。",
    "我是{township}的，想咨询低保政策。",
    "我是王老师，学校的围墙倒了。",
    "我是黄石村村民，反映饮水问题。",
    "本人常住东门镇，孩子能在镇上读书吗？",
    "我是外地人，在{township}买了房子。",
    "我是车主，停车场收费不合理。",
    "我是房东，租客拖欠房租怎么办？",
    "我是万达广场的商户，门前的路一直没修好。",
    "我是楼上的住户，楼下装修噪音太大。",
    "我是周边的居民，工地晚上施工很吵。",
    "本人高血压，想咨询慢性病门诊报销。",
    "我是管理员，系统登录不了。",
    "我是钟点工，工资被拖欠了。",
    "我是位母亲，孩子今年上小学。",
    # Greetings that address no one by name: what the addressee is, a surname and a
    # title, a body (a reply greets its citizen so, and a citizen the unit).
    "网民朋友您好，您反映的问题已转{unit}办理。",
    "各位网友你好，现将{township}停水的情况说明如下。",
    "{township}人民政府您好，{village}的路灯坏了很久。",
    "老师您好，孩子的学籍问题想咨询一下。",
    "张老师您好，学校门口的路灯坏了。",
    "李工您好，小区的水管又漏了。",
    "王总：您好！工程款什么时候结算？",
    "韦局长您好，{village}的道路什么时候硬化？",
    "尊敬的网友：您好！您的留言已收悉。",
    "市民朋友：近期{township}将进行停电检修。",
    "阿姨您好，您反映的问题我们已经记录。",
    "管理员您好，网站登录不了。",
    "致广大市民：请错峰出行。",
    # 常 "often" before what a writer often does or suffers; the fruit 杨梅.
    "本人常失眠，晚上广场舞的音响太吵。",
    "本人常加班，孩子放学没人接。",
    "{village}的杨梅熟了，路却不通，运不出去。",
    "今年村民杨梅、砂糖橘都卖不出去，价格太低。",
    "我是杨梅种植户，想咨询技术培训。",
    # The words a name may start like, said as words (本人白天忙，); greetings of a season,
    # a day, a place, a body or no one, and the thanks or wishes after 您好，.
    "本人白天忙，晚上才有空，{village}的路灯的事请晚上联系。",
    "我是白天班，晚上不在家，快递总是放在门口。",
    "夏天你好！{township}的游泳池什么时候开放？",
    "周末你好，{township}的农贸市场周末几点开门？",
    "春天你好，{village}的油菜花开了，路却坏了。",
    "大家好，{township}今天停水了吗？",
    "诸位您好，{street}的下水道堵了。",
    "银行您好，{township}的取款机坏了一个星期。",
    "宣传部您好，{township}的宣传栏倒了。",
    "党委您好，{village}的党务公开栏很久没有更新。",
    "您好，谢谢！问题已经解决了。",
    "您好，祝顺利！",
    "您好，{unit}：{village}的路灯坏了。",
)


def _contexts() -> list[str]:
    """The citizens' messages of the demo county, their places filled in."""
    rng = random.Random(7)
    out = []
    for topic in texts.TOPICS:
        for category in ("consultation", "suggestion", "appeal"):
            for title, body in topic.texts(category):
                out += [_fill(body, rng) for _ in range(3)]
                out.append(_fill(title, rng))
    return out


def _replies() -> list[str]:
    rng = random.Random(11)
    out = []
    for frames in texts.REPLY_FRAMES.values():
        for frame in frames:
            for answers in texts.GENERIC_ANSWERS.values():
                for answer in answers:
                    text = frame.replace("0778-{tel}", rng.choice(ALLOWED)).replace("{answer}", answer)
                    out.append(_fill(text.replace("网友您好！", "您好！"), rng))
    for topic in texts.TOPICS:
        for answers in topic.answers.values():
            out += [_fill(a, rng) for a in answers]
    return out


def _fill(template: str, rng) -> str:
    township, _, villages = rng.choice(texts.TOWNSHIPS)
    village = rng.choice(villages)
    slots = {
        "township": township,
        "village": village,
        "place": f"{township}{village}",
        "street": rng.choice(texts.STREETS),
        "street2": rng.choice(texts.STREETS),
        "school": rng.choice(texts.SCHOOLS),
        "n": str(rng.randint(2, 9)),
        "unit": rng.choice(texts.DEPARTMENTS),
        "to": rng.choice(texts.DEPARTMENTS),
    }
    for key, value in slots.items():
        template = template.replace("{" + key + "}", value)
    return template


def _surname_length(name: str) -> int:
    return 2 if name[:2] in COMPOUND_SURNAMES else 1


def _house_start(text: str) -> int:
    """Where the house-level part of an address starts: after its road, village or
    estate (the part that stays public)."""
    anchors = ("大道", "路", "街", "村", "屯", "社区", "小区", "花园", "家园", "新村", "公寓", "苑", "宿舍", "大厦")
    best = -1
    for anchor in anchors:
        i = text.rfind(anchor)
        if i >= 0:
            best = max(best, i + len(anchor))
    return best


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_check_digit(body: str) -> str:
    """GB 11643-1999: the ISO 7064 MOD 11-2 check character."""
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def _luhn_digit(body: str) -> str:
    for digit in "0123456789":
        candidate = body + digit
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            n = int(ch)
            if i % 2:
                n = n * 2 - 9 if n > 4 else n * 2
            total += n
        if total % 10 == 0:
            return digit
    raise AssertionError("unreachable")


def generate(*, personal: int = 6000, clean: int = 2500, seed: int = 2026) -> tuple[list[Sample], list[Sample]]:
    g = Generator(seed)
    return [g.personal() for _ in range(personal)], [g.clean() for _ in range(clean)]


@dataclass
class Figures:
    personal: int
    missed: list
    clean: int
    changed: list

    @property
    def recall(self) -> float:
        return 1 - len(self.missed) / self.personal

    @property
    def false_positive_rate(self) -> float:
        return len(self.changed) / self.clean

    def by_kind(self, samples) -> dict[str, tuple[int, int]]:
        """kind → (samples, missed)."""
        counts: dict[str, list[int]] = {}
        missed = {id(s) for s, _ in self.missed}
        for s in samples:
            entry = counts.setdefault(s.kind, [0, 0])
            entry[0] += 1
            entry[1] += id(s) in missed
        return {k: (v[0], v[1]) for k, v in sorted(counts.items())}


def survives(secret: str, masked: str) -> bool:
    """Whether a secret can still be read in the masked text: as written, or as the
    same characters once folded and stripped of spaces and dashes."""
    if secret in masked:
        return True

    def bare(s):
        return "".join(ch for ch in fold(s) if ch not in " -·").lower()

    return bare(secret) in bare(masked)


def measure(mask, personal: list[Sample], clean: list[Sample]) -> Figures:
    """`mask(text) -> str` over the corpus: what it missed and what it changed."""
    missed = []
    for s in personal:
        masked = mask(s.text)
        if any(survives(secret, masked) for secret in s.secrets):
            missed.append((s, masked))
    changed = []
    for s in clean:
        masked = mask(s.text)
        if masked != s.text:
            changed.append((s, masked))
    return Figures(len(personal), missed, len(clean), changed)
