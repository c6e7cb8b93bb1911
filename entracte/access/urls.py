from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    path("", views.choose, name="choose"),
    path("performances/<int:pk>/", views.scan, name="scan"),
    path("performances/<int:pk>/codes.csv", views.codes_csv, name="codes_csv"),
]
