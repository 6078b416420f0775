"""Chinese surnames, for telling a name from an ordinary word after "我叫", "本人"…

ALL holds the single-character surnames of the 百家姓 and of modern registers
(about 450, covering well over 99% of people); COMPOUND the two-character ones still
in use. COMMON is the smaller set trusted after weak cues ("我是…", "本人…"), where
the character after the cue is often a plain word: it leaves out surnames that are
also everyday words (于, 和, 向, 在, 常, 高…). Of those, FREQUENT_WORDLIKE are among
the commonest surnames (高 is the 19th): trusted after a weak cue too, but only where
the name ends as a name does (masking._ENDS_OWN_NAME: "我是常梅轩，", "本人高峰，电话…").
"""

ALL = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向"
    "汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单"
    "季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄"
    "窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查"
    "麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖"
    "练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那"
    "宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由银"
    "粱蓬鄂钮郦糜贝蹇滑税荀杞郇阎磨粟韩农闭麦岑凌"
)

COMPOUND = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "轩辕",
    "端木",
    "独孤",
    "南宫",
    "西门",
    "百里",
    "呼延",
    "澹台",
    "公冶",
    "太史",
    "申屠",
    "万俟",
    "闻人",
    "赫连",
    "钟离",
    "宗政",
)

# Surnames that are also everyday words (位 a measure word: 我是位母亲): not trusted
# after "我是" or "本人", but for FREQUENT_WORDLIKE where the name ends as one does.
_WORDLIKE = set(
    "于和向在从时由但都来相平国海明元文成安南方高常乐全商门云计支展公利富花强干居白金石江龙路连车项原初阳万任应师信衣容智幸"
    "奉敬晋那宿战危元束斯位"
)

COMMON = frozenset(ALL - _WORDLIKE)

# Everyday words common enough as surnames to be trusted after "我是", "本人" where the
# name ends as one does. Not the function words (本人在外，, 本人于近日，, 本人平时，end
# where a name would) nor the rare surnames (国, 海, 明, 支…) whose words (我是海南的,
# 本人明白。, 我是支书) are far likelier than their bearers.
FREQUENT_WORDLIKE = frozenset("高金石方白江常万文龙任成安")
