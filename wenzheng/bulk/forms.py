from django import forms

from wenzheng.handling.models import Category
from wenzheng.units.models import Region

MAX_UPLOAD = 50 * 1024 * 1024  # a 100,000-row workbook is ~7 MB; the same as CSV ~35 MB


class ImportForm(forms.Form):
    file = forms.FileField(
        label="留言文件", help_text="其他平台导出的 .xlsx 或 .csv（UTF-8 或 GBK 编码），第一行为列名。"
    )
    region = forms.ModelChoiceField(label="县（区）", queryset=Region.objects.none(), empty_label=None)
    source = forms.CharField(
        label="来源平台（选填）",
        max_length=60,
        required=False,
        help_text="如“原县长信箱”。同一来源内留言编号不重复；重复导入同一文件不会重复新增。",
    )
    default_category = forms.ModelChoiceField(
        label="类别为空时按",
        queryset=Category.objects.all(),
        required=False,
        empty_label="不指定（类别为空的行列为问题）",
    )
    dry_run = forms.BooleanField(label="只检查，不导入", required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        if regions.count() == 1:
            self.fields["region"].initial = regions.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("文件不能超过50MB，请分成几个文件导入。")
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("只能导入 .xlsx 或 .csv 文件。")
        return upload
