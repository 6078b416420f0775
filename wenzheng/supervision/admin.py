from django.contrib import admin

from wenzheng.lib.admin import ReadOnlyAdmin

from .models import AccountabilityReferral, Exposure, SupervisionFinding, WrittenExplanationOrder


@admin.register(WrittenExplanationOrder)
class WrittenExplanationOrderAdmin(ReadOnlyAdmin):
    list_display = ["unit", "ordered_at", "backlog_deadline", "explanation_received_at"]


@admin.register(SupervisionFinding)
class SupervisionFindingAdmin(ReadOnlyAdmin):
    list_display = ["unit", "found_on", "source", "adverse", "written_criticism"]
    list_filter = ["source", "adverse", "written_criticism"]


@admin.register(Exposure)
class ExposureAdmin(ReadOnlyAdmin):
    list_display = ["title", "unit", "outlet", "published_at"]


@admin.register(AccountabilityReferral)
class AccountabilityReferralAdmin(ReadOnlyAdmin):
    list_display = ["unit", "person", "referred_to", "referred_at"]
