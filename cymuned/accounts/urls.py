from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("two-factor/", views.TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path("two-factor/set-up/", views.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/sign-out-everywhere/", views.SignOutEverywhereView.as_view(), name="sign-out-everywhere"),
    path("profile/api-token/", views.ApiTokenView.as_view(), name="api-token"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("password/reset/complete/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("people/", views.MembershipListView.as_view(), name="membership-list"),
    path("people/add/", views.MembershipCreateView.as_view(), name="membership-create"),
    path("people/<int:pk>/", views.MembershipUpdateView.as_view(), name="membership-update"),
    path("people/<int:pk>/end/", views.MembershipEndView.as_view(), name="membership-end"),
]
