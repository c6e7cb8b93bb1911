from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import account, subscriptions, views

app_name = "shop"

urlpatterns = [
    path("", views.programme, name="programme"),
    path("events/<slug:slug>/", views.event, name="event"),
    path("performances/<int:pk>/", views.performance, name="performance"),
    path("performances/<int:pk>/best/", views.add_best_available, name="add_best"),
    path("performances/<int:pk>/seats/", views.add_seats, name="add_seats"),
    path("subscriptions/", subscriptions.products, name="subscriptions"),
    path("subscriptions/<slug:slug>/", subscriptions.subscription, name="subscription"),
    path("cart/", views.cart, name="cart"),
    path("cart/items/<int:item_id>/remove/", views.remove_item, name="remove_item"),
    path("cart/items/<int:item_id>/tariff/", views.change_tariff, name="change_tariff"),
    path("cart/codes/", views.apply_code, name="apply_code"),
    path("cart/codes/<int:code_id>/remove/", views.remove_code, name="remove_code"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/<str:number>/<str:secret>/", views.order, name="order"),
    path("orders/<str:number>/<str:secret>/tickets.pdf", views.order_pdf, name="order_pdf"),
    path("account/", account.dashboard, name="account"),
    path("account/advantages/", account.my_advantages, name="my_advantages"),
    path("account/profile/", account.profile, name="profile"),
    path("account/signup/", account.signup, name="signup"),
    path("account/verify/<uidb64>/<token>/", account.verify, name="verify"),
    path("account/login/", auth_views.LoginView.as_view(template_name="shop/account/login.html"), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password-reset/", auth_views.PasswordResetView.as_view(
        template_name="shop/account/password_reset.html", email_template_name="shop/account/password_reset_email.txt",
        subject_template_name="shop/account/password_reset_subject.txt", success_url=reverse_lazy("shop:password_reset_done")),
        name="password_reset"),
    path("account/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="shop/account/password_reset_done.html"), name="password_reset_done"),
    path("account/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="shop/account/password_reset_confirm.html", success_url=reverse_lazy("shop:password_reset_complete")),
        name="password_reset_confirm"),
    path("account/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="shop/account/password_reset_complete.html"), name="password_reset_complete"),
]
