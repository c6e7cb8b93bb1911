from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import code_views, report_views, reservation_views, subscription_views, views

app_name = "boxoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="boxoffice/login.html",
                                                next_page=reverse_lazy("boxoffice:home")), name="login"),
    path("performances/<int:pk>/", views.performance, name="performance"),
    path("performances/<int:pk>/best/", views.add_best, name="add_best"),
    path("performances/<int:pk>/seats/", views.add_seats, name="add_seats"),
    path("subscriptions/<slug:slug>/", subscription_views.subscription, name="subscription"),
    path("sale/", views.sale, name="sale"),
    path("sale/cancel/", views.cancel_sale, name="cancel_sale"),
    path("sale/contact/", views.attach_contact, name="attach_contact"),
    path("sale/items/<int:item_id>/remove/", views.remove_item, name="remove_item"),
    path("sale/items/<int:item_id>/tariff/", views.change_tariff, name="change_tariff"),
    path("sale/codes/", views.apply_code, name="apply_code"),
    path("sale/codes/<int:code_id>/remove/", views.remove_code, name="remove_code"),
    path("sale/reserve/", reservation_views.reserve, name="reserve"),
    path("reservations/", reservation_views.reservations, name="reservations"),
    path("reservations/<str:number>/", reservation_views.reservation, name="reservation"),
    path("reservations/<str:number>/pay/", reservation_views.pay, name="pay_reservation"),
    path("reservations/<str:number>/cancel/", reservation_views.cancel, name="cancel_reservation"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<int:pk>/", views.contact, name="contact"),
    path("contacts/<int:pk>/credit/", views.credit_contact, name="credit_contact"),
    path("orders/<str:number>/", views.order, name="order"),
    path("orders/<str:number>/tickets.pdf", views.order_pdf, name="order_pdf"),
    path("orders/<str:number>/email/", views.email_order, name="email_order"),
    path("codes/", code_views.generate, name="codes"),
    path("codes/batches/<int:pk>/download/", code_views.download, name="code_batch_download"),
    path("codes/dashboard/", code_views.dashboard, name="code_dashboard"),
    path("codes/tracking/", code_views.tracking, name="code_tracking"),
    path("codes/invalidate/", code_views.invalidate, name="code_invalidate"),
    path("reports/", report_views.index, name="reports"),
    path("reports/performances/<int:pk>/", report_views.performance, name="report_performance"),
    path("reports/performances/<int:pk>/sales.csv", report_views.performance_csv, name="report_performance_csv"),
    path("reports/takings/", report_views.cash, name="report_cash"),
    path("reports/takings.csv", report_views.cash_csv, name="report_cash_csv"),
]
