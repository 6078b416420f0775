"""The evaluation, mounted at /evaluation/ (office roles only; see access.py)."""

from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/new/", views.run_new, name="run-new"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/units/<int:unit>/", views.unit_detail, name="unit"),
    path("runs/<int:pk>/units/<int:unit>/print/", views.unit_detail, {"printing": True}, name="unit-print"),
    path("runs/<int:pk>/report/", views.report, name="report"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run-publish"),
    path("runs/<int:pk>/report.docx", views.report_file, {"fmt": "docx"}, name="report-docx"),
    path("runs/<int:pk>/report.xlsx", views.report_file, {"fmt": "xlsx"}, name="report-xlsx"),
    path("compare/", views.compare, name="compare"),
    path("bulletin/", views.bulletin_page, name="bulletin"),
    path("bulletin.docx", views.bulletin_file, {"fmt": "docx"}, name="bulletin-docx"),
    path("bulletin.xlsx", views.bulletin_file, {"fmt": "xlsx"}, name="bulletin-xlsx"),
    path("bulletin/publish/", views.bulletin_publish, name="bulletin-publish"),
    path("public/<slug:region>/", views.publications, name="publications"),
    path("public/<slug:region>/results/<str:period>/", views.public_results, name="public-results"),
    path("public/<slug:region>/<str:period>/", views.public_bulletin, name="public-bulletin"),
    path("findings/import/", views.findings_import, name="findings-import"),
    path("findings/template.xlsx", views.findings_template, name="findings-template"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/import/", views.scheme_import, name="scheme-import"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/export.toml", views.scheme_export, name="scheme-export"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme-edit"),
    path("schemes/<int:pk>/adopt/", views.scheme_adopt, name="scheme-adopt"),
]
