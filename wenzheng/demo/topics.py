"""The demo's message subjects (texts.TOPICS keys) placed in the default topic tree."""

from wenzheng.topics.models import Topic

CODES = {
    "road": "020103",
    "water": "070201",
    "school": "040101",
    "exam": "040104",
    "social_insurance": "060201",
    "rural_pension": "060201",
    "land": "070301",
    "wage_arrears": "060101",
    "street_lights": "010101",
    "pollution": "030101",
    "medical_insurance": "050301",
    "housing": "010202",
    "provident_fund": "010203",
    "low_income": "090101",
    "power": "120301",
    "telecom": "120302",
    "traffic": "020301",
    "market": "110301",
    "household_registration": "080301",
    "agriculture": "070101",
    "forestry": "030201",
    "hospital": "050101",
    "urban_management": "010301",
    "employment": "060301",
    "garbage": "030301",
    "veterans": "120203",
    "disability": "090202",
    "tax": "110201",
    "culture": "040301",
    "rural_revitalisation": "070401",
    "bus": "020201",
    "egov": "120101",
    "fire": "080202",
    "irrigation": "070104",
}


def topic_for(region, key: str) -> Topic | None:
    code = CODES.get(key)
    return Topic.objects.filter(region=region, code=code).first() if code else None
