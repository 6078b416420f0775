"""The scheme as a form in the browser: every number a county office tunes (points,
floors and full-marks lines, category weights, deduction points and caps, the
small-sample threshold, the grade lines), with Chinese labels and explanations.

Built from a scheme's snapshot and turned back into one; schemes.clean (the same
check a TOML file goes through) has the last word. Shares are typed as percentages
(80 for 80%) and stored as the fractions the kinds read (0.8).
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from wenzheng.lib.formtext import NamedLimits

from . import kinds
from .schemes import NOTES_MAX_CHARS

HUNDRED = Decimal(100)


def _percent(value) -> str:
    """0.8 → "80", 0.875 → "87.5": as a person types it."""
    return kinds.show(Decimal(str(value)) * HUNDRED)


def _share(percent: Decimal):
    """80 → 0.8, stored as a plain number as the TOML files write it."""
    value = percent / HUNDRED
    return int(value) if value == value.to_integral_value() else float(value)


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def _points(**kwargs):
    return forms.DecimalField(min_value=0, max_value=1000, decimal_places=2, **kwargs)


class SchemeForm(NamedLimits, forms.Form):
    name = forms.CharField(label=_("方案名称"), max_length=100)
    # Short of the file's limit by room for what a copy adds ("（由第3版复制）").
    notes = forms.CharField(
        label=_("说明"), required=False, max_length=NOTES_MAX_CHARS - 100, widget=forms.Textarea(attrs={"rows": 3})
    )
    min_due = forms.IntegerField(
        label=_("样本不足门槛（条）"),
        min_value=0,
        max_value=10000,
        help_text=_(
            "本期到期应回复留言少于此数的单位样本不足：按有数据的项目折算总分，等次注明“样本不足”，单列，不参与排名。"
        ),
    )

    def __init__(self, *args, scheme: dict, categories: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme, self.categories = scheme, categories
        self.initial.update({"name": scheme["name"], "notes": scheme["notes"], "min_due": scheme["min_due"]})
        self.grade_fields = []
        for n, (threshold, label) in enumerate(scheme["grades"][:-1]):
            name = f"grade_{n}"
            self.fields[name] = forms.DecimalField(
                label=_("“%(label)s”的分数线") % {"label": label},
                min_value=0,
                max_value=1000,
                decimal_places=2,
                help_text=_("总分达到此分数（含）为“%(label)s”。") % {"label": label},
            )
            self.initial[name] = threshold
            self.grade_fields.append(name)
        self.items = [self._item_fields(item) for item in scheme["items"]]

    # --- per item -------------------------------------------------------------------

    def _add(self, name, field, initial):
        self.fields[name] = field
        if initial is not None:
            self.initial[name] = initial
        return name

    def _item_fields(self, item) -> dict:
        key, params = item["key"], item["params"]
        names = [
            self._add(f"{key}__label", forms.CharField(label=_("项目名称"), max_length=60), item["label"]),
            self._add(f"{key}__max_points", _points(label=_("分值")), item["max_points"]),
        ]
        if item["kind"] == "rate":
            names += self._rate_fields(key, params)
        elif item["kind"] == "deduction":
            names += self._deduction_fields(key, params)
        elif item["kind"] == "compliance":
            names += self._compliance_fields(key, params)
        names.append(
            self._add(
                f"{key}__explanation",
                forms.CharField(label=_("考评说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})),
                item["explanation"],
            )
        )
        return {"item": item, "fields": names}

    def _rate_fields(self, key, params):
        measure = kinds.MEASURES.get(params.get("measure"))
        what = measure.label if measure else _("比率")
        names = [
            self._add(
                f"{key}__floor",
                forms.DecimalField(
                    label=_("下限（%）"),
                    min_value=0,
                    max_value=100,
                    decimal_places=2,
                    help_text=_("%(what)s低于此值的，本项不得分；填0表示不设下限。") % {"what": what},
                ),
                _percent(params.get("floor", 0)),
            ),
            self._add(
                f"{key}__full",
                forms.DecimalField(
                    label=_("满分线（%）"),
                    min_value=0,
                    max_value=100,
                    decimal_places=2,
                    help_text=_("%(what)s达到此值的得满分；其间按比率计分。") % {"what": what},
                ),
                _percent(params.get("full", 1)),
            ),
            self._add(
                f"{key}__when_none",
                forms.ChoiceField(
                    label=_("本期没有可计的留言时"),
                    choices=[("full", _("按满分计")), ("zero", _("不得分"))],
                    help_text=_("样本不足的单位不看此项：没有数据的项目不计入，按有数据的项目折算。"),
                ),
                params.get("when_none", "full"),
            ),
        ]
        if params.get("measure") == "closure":
            weights = params.get("weights") or {}
            names += [
                self._add(
                    f"{key}__weight__{code}",
                    forms.DecimalField(
                        label=_("%(name)s类的权重") % {"name": self.categories.get(code, code)},
                        required=False,
                        min_value=0,
                        max_value=1000,
                        decimal_places=2,
                        help_text=_("各类别分别计算办结率后按权重加权；全部留空则各类合并计算。"),
                    ),
                    weights.get(code),
                )
                for code in params.get("categories") or list(self.categories)
            ]
        if params.get("measure") == "satisfaction":
            names.append(
                self._add(
                    f"{key}__include_basic",
                    forms.BooleanField(label=_("“基本满意”也计为满意"), required=False),
                    bool(params.get("include_basic")),
                )
            )
        return names

    def _deduction_fields(self, key, params):
        names = []
        for entry in params.get("sources", []):
            source = kinds.SOURCES[entry["source"]]
            row = entry["points"] == kinds.ROW_POINTS
            help_text = _("每发生一次扣的分数。")
            if source.points_key:
                help_text = _("每条扣的分数；留空表示按通报所列分值扣分。")
            field = _points(
                label=_("%(label)s，每次扣分") % {"label": source.label},
                required=not source.points_key,
                help_text=help_text,
            )
            names.append(self._add(f"{key}__source__{source.code}", field, None if row else entry["points"]))
        names.append(
            self._add(
                f"{key}__cap",
                _points(label=_("扣分上限"), help_text=_("各事项合计扣分最多扣到此数，不超过本项分值。")),
                params.get("cap"),
            )
        )
        return names

    def _compliance_fields(self, key, params):
        return [
            self._add(
                f"{key}__leaders",
                forms.IntegerField(label=_("应配分管领导（名）"), min_value=0, max_value=10),
                params.get("leaders", 1),
            ),
            self._add(
                f"{key}__min_handlers",
                forms.IntegerField(label=_("至少配备网络评论员（名）"), min_value=0, max_value=100),
                params.get("min_handlers", 2),
            ),
            self._add(
                f"{key}__partial",
                _points(label=_("已上报但配备不齐的得分"), help_text=_("填0表示配备不齐不得分。")),
                params.get("partial", 0),
            ),
        ]

    # --- back to a scheme -------------------------------------------------------------

    def data_for_scheme(self) -> dict:
        """The edited scheme as schemes.clean reads it (call after is_valid())."""
        d = self.cleaned_data
        bands = zip(self.grade_fields, self.scheme["grades"][:-1], strict=True)
        grades = [[_number(d[name]), label] for name, (_, label) in bands]
        grades.append(list(self.scheme["grades"][-1]))
        items = []
        for item in self.scheme["items"]:
            key = item["key"]
            params = dict(item["params"])
            if item["kind"] == "rate":
                params["floor"], params["full"] = _share(d[f"{key}__floor"]), _share(d[f"{key}__full"])
                params["when_none"] = d[f"{key}__when_none"]
                weight_names = [n for n in self.fields if n.startswith(f"{key}__weight__")]
                weights = {n.rsplit("__", 1)[1]: _number(d[n]) for n in weight_names if d.get(n) is not None}
                if weights:
                    params["weights"] = weights
                else:
                    params.pop("weights", None)
                if f"{key}__include_basic" in self.fields:
                    params["include_basic"] = d[f"{key}__include_basic"]
            elif item["kind"] == "deduction":
                params["sources"] = [
                    {
                        "source": entry["source"],
                        "points": kinds.ROW_POINTS
                        if d.get(f"{key}__source__{entry['source']}") is None
                        else _number(d[f"{key}__source__{entry['source']}"]),
                    }
                    for entry in params["sources"]
                ]
                params["cap"] = _number(d[f"{key}__cap"])
            elif item["kind"] == "compliance":
                params["leaders"], params["min_handlers"] = d[f"{key}__leaders"], d[f"{key}__min_handlers"]
                params["partial"] = _number(d[f"{key}__partial"])
            items.append(
                {
                    "key": key,
                    "kind": item["kind"],
                    "label": d[f"{key}__label"].strip(),
                    "max_points": f"{d[f'{key}__max_points']:f}",
                    "params": params,
                    "explanation": d[f"{key}__explanation"].strip(),
                }
            )
        return {
            "code": self.scheme["code"],
            "name": d["name"].strip(),
            "notes": d["notes"].strip(),
            "min_due": d["min_due"],
            "grades": grades,
            "items": items,
        }
