"""The item kinds, by hand: no database, no clock."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from wenzheng.evaluation import kinds
from wenzheng.evaluation.defaults import DEFAULT

CTX = kinds.Context(categories={"consultation": "咨询", "suggestion": "建议", "appeal": "诉求"})
RATE = kinds.get("rate")
DEDUCTION = kinds.get("deduction")
COMPLIANCE = kinds.get("compliance")
D = Decimal


def rate(facts, max_points="15", **params):
    params = {"measure": "reply_on_time", "floor": 0.8, "full": 1, **params}
    kinds.validate("rate", params, D(max_points))
    return RATE.score(params, D(max_points), facts, CTX)


# --- rate ---------------------------------------------------------------------------


def test_a_rate_at_or_above_the_full_threshold_scores_full_marks():
    assert rate({"reply.due": 20, "reply.on_time": 20}).points == D("15.00")
    assert rate({"reply.due": 20, "reply.on_time": 19}, full=0.95).points == D("15.00")


def test_between_floor_and_full_a_rate_scores_its_share_of_the_points():
    # 17/20 = 85%: 15 × 0.85 = 12.75.
    score = rate({"reply.due": 20, "reply.on_time": 17})
    assert score.points == D("12.75")
    assert score.summary == "按时回复率85%（17/20），按比率计分，得12.75分。"
    # 5/6 = 83.33…%: 15 × 5/6 = 12.5 exactly.
    assert rate({"reply.due": 6, "reply.on_time": 5}).points == D("12.50")
    # 9/11: 15 × 9/11 = 12.2727… → 12.27 (half up at the cent).
    assert rate({"reply.due": 11, "reply.on_time": 9}).points == D("12.27")


def test_exactly_at_the_floor_scores_and_just_below_scores_nothing():
    assert rate({"reply.due": 10, "reply.on_time": 8}).points == D("12.00")
    below = rate({"reply.due": 100, "reply.on_time": 79})
    assert below.points == D("0.00")
    assert below.summary == "按时回复率79%（79/100），低于下限80%，不得分，得0分。"


def test_no_due_messages_scores_as_the_item_says():
    assert rate({}).points == D("15.00")
    assert rate({}).summary == "本期没有到期应回复的留言，按满分计，得15分。"
    assert rate({}, when_none="zero").points == D("0.00")


def test_closure_pools_the_categories_by_default():
    facts = {
        "closure.consultation.due": 10,
        "closure.consultation.met": 10,
        "closure.appeal.due": 10,
        "closure.appeal.met": 5,
    }
    score = rate(facts, max_points="40", measure="closure", floor=0)
    assert score.points == D("30.00")  # 15/20 × 40
    assert [(line.label, line.value) for line in score.lines] == [
        ("咨询类", "10/10（100%）"),
        ("建议类", "0/0（无）"),
        ("诉求类", "5/10（50%）"),
    ]


def test_closure_weighted_per_category_leaves_out_categories_without_messages():
    facts = {
        "closure.consultation.due": 10,
        "closure.consultation.met": 10,
        "closure.appeal.due": 10,
        "closure.appeal.met": 5,
    }
    weights = {"consultation": 1, "suggestion": 1, "appeal": 2}
    # (1 × 1 + 2 × 0.5) / (1 + 2) = 2/3 of 40 = 26.666… → 26.67; 建议 had none.
    assert rate(facts, max_points="40", measure="closure", floor=0, weights=weights).points == D("26.67")
    # A floor applies to each category: 诉求 at 50% < 60% scores nothing → 1/3 of 40.
    assert rate(facts, max_points="40", measure="closure", floor=0.6, weights=weights).points == D("13.33")


def test_closure_can_count_only_some_categories():
    facts = {
        "closure.consultation.due": 4,
        "closure.consultation.met": 1,
        "closure.appeal.due": 4,
        "closure.appeal.met": 4,
    }
    assert rate(facts, max_points="40", measure="closure", floor=0, categories=["appeal"]).points == D("40.00")


def test_satisfaction_counts_satisfied_and_optionally_basically_satisfied():
    facts = {"rating.rated": 8, "rating.satisfied": 4, "rating.basic": 2}
    assert rate(facts, max_points="10", measure="satisfaction", floor=0).points == D("5.00")
    assert rate(facts, max_points="10", measure="satisfaction", floor=0, include_basic=True).points == D("7.50")


@pytest.mark.parametrize(
    "params",
    [
        {"measure": "speed"},
        {"measure": "reply_on_time", "floor": 0.9, "full": 0.8},
        {"measure": "reply_on_time", "floor": 80},
        {"measure": "reply_on_time", "floor": "eighty"},
        {"measure": "reply_on_time", "when_none": "half"},
        {"measure": "reply_on_time", "weights": {"appeal": 1}},  # weights belong to closure only
        {"measure": "closure", "weights": {"appeal": -1}},
        {"measure": "reply_on_time", "flor": 0.8},
    ],
)
def test_it_rejects_bad_rate_parameters(params):
    with pytest.raises(ValidationError):
        kinds.validate("rate", params, D("15"))


def test_a_rate_explains_itself_in_chinese():
    text = RATE.describe({"measure": "response_on_time", "floor": 0.8, "full": 1}, D("15"))
    assert text.startswith("按时回应率低于80%的不得分；达到100%的得满分15分；其间得分 = 满分 × 按时回应率。")
    assert "本期没有到期应回应的留言的，按满分计。" in text


# --- deduction ----------------------------------------------------------------------

CONDUCT = DEFAULT["items"][-1]["params"]


def test_deductions_add_up_per_event():
    facts = {"deduct.explanation_ordered": 1, "deduct.exposure": 1, "deduct.adverse_finding": 2}
    score = DEDUCTION.score(CONDUCT, D("10"), facts, CTX)
    assert score.points == D("4.00")  # 10 - (2 + 2 + 1 × 2)
    assert score.summary == "扣6分，得4分。"
    assert ("被责成书面说明", "1次 × 2分 = 2分") in [(line.label, line.value) for line in score.lines]


def test_deductions_stop_at_the_cap():
    facts = {"deduct.written_criticism": 3, "deduct.backlog_missed": 1}  # 9 + 2 = 11
    score = DEDUCTION.score(CONDUCT, D("10"), facts, CTX)
    assert score.points == D("0.00")
    assert score.summary == "应扣11分，以10分为限，得0分。"
    capped = {**CONDUCT, "cap": 5}
    assert DEDUCTION.score(capped, D("10"), facts, CTX).points == D("5.00")


def test_bulletin_rows_deduct_their_own_points():
    facts = {"deduct.bulletin": 2, "deduct.bulletin_points": "1.50"}
    score = DEDUCTION.score(CONDUCT, D("10"), facts, CTX)
    assert score.points == D("8.50")
    assert ("市季度通报扣分", "2条，合计1.5分") in [(line.label, line.value) for line in score.lines]


def test_no_events_no_deduction():
    assert DEDUCTION.score(CONDUCT, D("10"), {}, CTX).summary == "无扣分事项，得满分10分。"


@pytest.mark.parametrize(
    "params",
    [
        {"sources": []},
        {"sources": [{"source": "gossip", "points": 1}]},
        {"sources": [{"source": "exposure", "points": "row"}]},
        {"sources": [{"source": "exposure", "points": -1}]},
        {"sources": [{"source": "exposure", "points": 1}, {"source": "exposure", "points": 2}]},
        {"sources": [{"source": "exposure", "points": 1}], "cap": 11},
        {"sources": [{"source": "exposure"}]},
    ],
)
def test_it_rejects_bad_deduction_parameters(params):
    with pytest.raises(ValidationError):
        kinds.validate("deduction", params, D("10"))


# --- compliance ---------------------------------------------------------------------

ROSTER = {"check": "roster", "leaders": 1, "min_handlers": 2, "partial": 0}


@pytest.mark.parametrize(
    ("facts", "points"),
    [
        ({"roster.filed": 1, "roster.leaders": 1, "roster.handlers": 2}, "10.00"),
        ({"roster.filed": 1, "roster.leaders": 1, "roster.handlers": 5}, "10.00"),
        ({"roster.filed": 1, "roster.leaders": 1, "roster.handlers": 1}, "0.00"),
        ({"roster.filed": 1, "roster.leaders": 0, "roster.handlers": 3}, "0.00"),
        ({}, "0.00"),
    ],
)
def test_the_roster_scores_only_when_filed_with_a_leader_and_two_handlers(facts, points):
    assert COMPLIANCE.score(ROSTER, D("10"), facts, CTX).points == D(points)


def test_an_incomplete_roster_may_earn_partial_points():
    facts = {"roster.filed": 1, "roster.leaders": 1, "roster.handlers": 1}
    score = COMPLIANCE.score({**ROSTER, "partial": 4}, D("10"), facts, CTX)
    assert (score.points, score.summary) == (D("4.00"), "名单已上报但配备不齐，得4分。")
    assert COMPLIANCE.score({**ROSTER, "partial": 4}, D("10"), {}, CTX).summary == "本年度未上报名单，得0分。"


def test_it_rejects_bad_compliance_parameters():
    for params in ({"check": "budget"}, {**ROSTER, "partial": 11}, {**ROSTER, "min_handlers": -1}):
        with pytest.raises(ValidationError):
            kinds.validate("compliance", params, D("10"))
    with pytest.raises(ValidationError):
        kinds.validate("lottery", {}, D("10"))


def test_every_default_item_is_valid_and_explains_itself():
    total = D(0)
    for item in DEFAULT["items"]:
        kinds.validate(item["kind"], item["params"], D(item["max_points"]))
        assert kinds.get(item["kind"]).describe(item["params"], D(item["max_points"]))
        total += D(item["max_points"])
    assert total == 100
