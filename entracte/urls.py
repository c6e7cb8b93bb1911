from django.contrib import admin
from django.urls import include, path

from entracte.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("boxoffice/", include("entracte.boxoffice.urls")),
    path("access/", include("entracte.access.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("entracte.shop.urls")),
]
