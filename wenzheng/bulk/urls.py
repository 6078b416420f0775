app_name = "bulk"
urlpatterns = []
