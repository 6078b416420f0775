from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "网络问政管理后台"
admin.site.site_title = "网络问政"
admin.site.index_title = "基础数据管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("wenzheng.public.urls")),
]
