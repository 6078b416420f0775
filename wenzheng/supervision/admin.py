from django.contrib import admin

from wenzheng.lib.admin import CitizensWordsAdmin, ReadOnlyAdmin, RegionScopedAdmin

from .models import AccountabilityReferral, Exposure, SupervisionFinding, WrittenExplanationOrder


@admin.register(WrittenExplanationOrder)
class WrittenExplanationOrderAdmin(CitizensWordsAdmin, RegionScopedAdmin, ReadOnlyAdmin):
    region_paths = ("unit__region",)
    list_display = ["unit", "ordered_at", "backlog_deadline", "explanation_received_at"]


@admin.register(SupervisionFinding)
class SupervisionFindingAdmin(CitizensWordsAdmin, RegionScopedAdmin, ReadOnlyAdmin):
    region_paths = ("unit__region",)
    list_display = ["unit", "found_on", "source", "adverse", "written_criticism"]
    list_filter = ["source", "adverse", "written_criticism"]


@admin.register(Exposure)
class ExposureAdmin(CitizensWordsAdmin, RegionScopedAdmin, ReadOnlyAdmin):
    region_paths = ("unit__region",)
    list_display = ["title", "unit", "outlet", "published_at"]


@admin.register(AccountabilityReferral)
class AccountabilityReferralAdmin(CitizensWordsAdmin, RegionScopedAdmin, ReadOnlyAdmin):
    region_paths = ("unit__region",)
    list_display = ["unit", "person", "referred_to", "referred_at"]
