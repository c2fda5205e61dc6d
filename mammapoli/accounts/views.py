"""The steps of logging in after the password: the second factor, enrolment of an authenticator on
a first login, backup codes; and changing one's password."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device

from .forms import SecondFactorForm
from .qr import authenticator_qr_svg, authenticator_secret
from .services import (authenticator_enrolment_confirm, authenticator_enrolment_device, backup_codes_renew,
                       second_factor_verify)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("otp_token")
@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not user_has_device(request.user):
        return redirect(f"{resolve_url('second-factor-setup')}?{urlencode({'next': _next_url(request)})}")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor_verify(request=request, code=form.cleaned_data["otp_token"]):
            return redirect(_next_url(request))
        form.add_error("otp_token", _("That code is not right, or too many wrong codes were tried: "
                                      "wait a moment and try the newest code."))
    return render(request, "accounts/second_factor.html", {"form": form, "next": _next_url(request)})


@sensitive_post_parameters("otp_token")
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    # Only a user without an authenticator may set one up: otherwise a stolen password would be
    # enough to add the thief's own.
    if user_has_device(request.user):
        return redirect(f"{resolve_url('second-factor')}?{urlencode({'next': _next_url(request)})}")
    device = authenticator_enrolment_device(user=request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = authenticator_enrolment_confirm(request=request, device=device, code=form.cleaned_data["otp_token"])
        if codes is not None:
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("otp_token", _("That code is not right: check the clock of your phone and try the newest code."))
    return render(request, "accounts/second_factor_setup.html", {
        "form": form, "next": _next_url(request), "qr_svg": authenticator_qr_svg(device),
        "secret": authenticator_secret(device),
    })


@login_required
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return render(request, "accounts/backup_codes.html", {
            "codes": backup_codes_renew(user=request.user), "next": resolve_url(settings.LOGIN_REDIRECT_URL)})
    return render(request, "accounts/backup_codes.html", {"codes": None})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")
    success_message = gettext_lazy("Your password has been changed. Your API tokens no longer work.")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, self.success_message)
        return response
