from django import forms

from wenzheng.handling.models import Category
from wenzheng.lib.formtext import NamedLimits
from wenzheng.units.models import Region, Unit
from wenzheng.units.selectors import office_of

from .models import ImportJob
from .tables import EXTENSIONS, MAX_UPLOAD


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return unit.name


class ImportForm(NamedLimits, forms.Form):
    file = forms.FileField(
        label="留言文件",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )
    region = forms.ModelChoiceField(label="县（区）", queryset=Region.objects.none(), empty_label=None)
    source = forms.CharField(
        label="来源平台（选填）",
        max_length=60,
        required=False,
        help_text="如“原县长信箱”。同一来源内留言编号不重复；重复导入同一文件不会重复新增（来源平台留空时，与任一来源的同一编号视为同一条留言）。",
    )
    default_category = forms.ModelChoiceField(
        label="类别为空时按",
        queryset=Category.objects.all(),
        required=False,
        empty_label="不指定（类别为空的行列为问题）",
    )
    default_unit = UnitChoiceField(
        label="单位为空时交给",
        queryset=Unit.objects.none(),
        required=False,
        help_text="文件没有“单位”列、或“单位”为空的行交给这个单位；写明单位的行仍交给所写的单位。",
    )
    waive_registration = forms.BooleanField(
        label="历史留言不检查单位的实名上网日期",
        required=False,
        help_text="留言时间早于该单位在本系统实名上网日期的，仍导入给该单位，并在每条这样导入的留言的记录中注明。"
        "已停用的单位仍不接收停用之后的留言。",
    )
    create_topics = forms.BooleanField(
        label="分类表中没有的事项分类自动新增",
        required=False,
    )
    unanswered = forms.ChoiceField(
        label="未答复的留言",
        choices=ImportJob.Unanswered.choices,
        initial=ImportJob.Unanswered.HISTORY,
        required=False,  # left out: history, the default
        widget=forms.RadioSelect,
        help_text="默认记为历史留言：单位仍可查看和答复，但不计办理时限，不会超期，也不计入及时率，"
        "导入多年的旧留言不会在导入次日全部超期。选“自导入时起计办理时限”，则如同当天交办，按工作日计算期限。",
    )
    replied = forms.ChoiceField(
        label="已答复但没有办理状态的留言",
        choices=ImportJob.Replied.choices,
        initial=ImportJob.Replied.CLOSED,
        required=False,  # left out: closed, the default
        widget=forms.RadioSelect,
        help_text="文件没有“办理状态”列、或这一格为空（也没有办结时间）的已答复留言：默认视为已办结，"
        "办结时间为答复时间，多年前已答复的旧留言不会成为单位的待办，也不会拉低办结率。"
        "选“记为已回复，待单位办结”，则由单位分管领导逐条办结。导入报告列出这样处理的条数。",
    )
    dry_run = forms.BooleanField(label="只检查，不导入", required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["default_unit"].queryset = Unit.objects.filter(region__in=regions).order_by("kind", "name")
        counties = list(regions)
        if len(counties) == 1:
            self.fields["region"].initial = counties[0]
        # The importer's county's office (区网络问政办) and tree (本区); of several, by no level.
        office = office_of(counties)
        self.fields["default_unit"].empty_label = f"不指定（已答复却没有单位的行列为问题，未答复的由{office}交办）"
        tree = f"本{counties[0].level}事项分类表" if len(counties) == 1 else "所选县（区）的事项分类表"
        self.fields["file"].help_text = (
            "其他平台导出的 .xlsx、.xls 或 .csv（UTF-8 或 GBK 编码）。列名可在前10行中的任一行；"
            f"一级分类、二级分类、三级分类按{tree}导入为事项分类；不认识的列（如点赞数）不导入，并在报告中列出。"
        )
        self.fields["create_topics"].help_text = (
            f"“一级分类”“二级分类”等列写的分类不在{tree}中时：勾选则按所写名称新增（自动编码），"
            "不勾选则列为问题，该行不导入。"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("文件不能超过50MB，请分成几个文件导入。")
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError("只能导入 .xlsx、.xls 或 .csv 文件。")
        return upload

    def clean_unanswered(self):
        return self.cleaned_data["unanswered"] or ImportJob.Unanswered.HISTORY

    def clean_replied(self):
        return self.cleaned_data["replied"] or ImportJob.Replied.CLOSED

    def clean(self):
        data = super().clean()
        unit, region = data.get("default_unit"), data.get("region")
        if unit is not None and region is not None and unit.region_id != region.pk:
            self.add_error("default_unit", f"“{unit.name}”不属于{region.name}。")
        return data
