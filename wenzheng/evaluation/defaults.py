"""The default scheme, 100 points, from DOMAIN.md's "The evaluation".

Shared by the data migration that ships it and by tests that must restore it after a
TransactionTestCase empties the database. It is data: the county changes it by
importing a new version (or copying it in the admin), never by editing this file.
"""

DEFAULT = {
    "code": "default",
    "version": 1,
    "name": "网络问政绩效考评默认方案",
    "notes": (
        "按“分类量化分”考评各乡镇、各部门的网络问政工作，满分100分。"
        "依据：每年上报的分管领导和网络评论员名单；回应、回复时限；分类办结情况；"
        "网民评价；书面说明、限期梳理回复、曝光、督查和市季度通报情况。"
        "乡镇与乡镇排名、部门与部门排名；本期到期应回复留言不足5条的单位单独列出，不参与排名。"
    ),
    "min_due": 5,
    "grades": [[90, "优秀"], [80, "良好"], [60, "合格"], [0, "不合格"]],
    "items": [
        {
            "key": "staffing",
            "kind": "compliance",
            "label": "人员配备",
            "max_points": "10",
            "params": {"check": "roster", "leaders": 1, "min_handlers": 2, "partial": 0},
            "explanation": "各乡镇、各部门要配备落实1名分管领导和2人以上网络评论员，"
            "严格执行“专人负责、专人管理”；以每年上报的名单作为考评的重要依据。",
        },
        {
            "key": "response",
            "kind": "rate",
            "label": "按时回应",
            "max_points": "15",
            "params": {"measure": "response_on_time", "floor": 0.8, "full": 1, "when_none": "full"},
            "explanation": "按《河池市网络问政工作管理暂行办法》规定的回应时限考评（默认1个工作日内签收回应）。"
            "按时回应率低于80%的本项不得分。",
        },
        {
            "key": "reply",
            "kind": "rate",
            "label": "按时回复",
            "max_points": "15",
            "params": {"measure": "reply_on_time", "floor": 0.8, "full": 1, "when_none": "full"},
            "explanation": "按规定的回复时限考评（默认5个工作日内回复，经批准延期的按延期后的期限）。"
            "按时回复率低于80%的本项不得分。",
        },
        {
            "key": "closure",
            "kind": "rate",
            "label": "分类办结",
            "max_points": "40",
            "params": {"measure": "closure", "floor": 0, "full": 1, "when_none": "full"},
            "explanation": "对办结网民留言的情况分类考评：建议类、咨询类在规定时间内给予回复且解释说明清楚；"
            "诉求类能够解决的及时解决，不能近期解决的及时答复解释；"
            "解决周期长或解决不了的，已作出答复解释并经市或县（区）网络问政工作领导小组同意的，也统计为已办结。",
        },
        {
            "key": "satisfaction",
            "kind": "rate",
            "label": "网民满意度",
            "max_points": "10",
            "params": {"measure": "satisfaction", "floor": 0, "full": 1, "when_none": "full", "include_basic": False},
            "explanation": "网民对回复作出评价的，按评价为“满意”的比例计分；本期没有网民评价的按满分计。",
        },
        {
            "key": "conduct",
            "kind": "deduction",
            "label": "督查与问责",
            "max_points": "10",
            "params": {
                "sources": [
                    {"source": "explanation_ordered", "points": 2},
                    {"source": "backlog_missed", "points": 2},
                    {"source": "written_criticism", "points": 3},
                    {"source": "exposure", "points": 2},
                    {"source": "adverse_finding", "points": 1},
                    {"source": "bulletin", "points": "row"},
                ],
                "cap": 10,
            },
            "explanation": "回应、回复迟延被责成书面说明的，未在限期内梳理回复积压留言的，"
            "被上级网管部门书面通报批评的，被媒体曝光的，督查发现问题的，以及市季度通报扣分的，"
            "分别扣分，扣完本项10分为止。每条督查结果只按一种事项扣分。",
        },
    ],
}
