"""Signing in and out, one's account (password, linked sign-in accounts), invitation links."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response

from .. import owner_sessions, owners
from ..auth import registry
from ..errors import Rejected
from ..login_throttle import BackingOff
from ..ratelimits import TOO_FAST, limit, limiter
from .access import current_owner, current_session, login_required, safe_next, sign_in, sign_out
from .forms import ActionForm, ChangePasswordForm, LoginForm, NewPasswordForm
from .views import bp, form_error


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limit("WIDGET_RATELIMIT_LOGIN"), methods=["POST"], error_message=TOO_FAST)
def login() -> Response | tuple[str, int, dict[str, str]]:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        if current_owner() is not None:
            return redirect(form.next.data)
    headers: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            owner = owners.authenticate(form.email.data, form.password.data)
        except BackingOff as waiting:
            form.password.errors = [waiting.message]
            headers["Retry-After"] = str(waiting.retry_after)
        else:
            if owner is not None:
                sign_in(owner)
                return redirect(safe_next(form.next.data))
            form.password.errors = ["That email and password do not match an owner."]
    status = 200 if request.method == "GET" or not form.errors else 429 if headers else 400
    page = render_template(
        "dashboard/login.html", form=form, providers=registry.all_providers().values()
    )
    return page, status, headers


@bp.post("/logout")
def logout() -> Response:
    ActionForm().validate_on_submit()  # CSRFProtect has already refused a forged one
    sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("dashboard.login"))


def _account_page(password_form: ChangePasswordForm) -> str:
    owner = current_owner()
    assert owner is not None
    return render_template(
        "dashboard/account.html",
        password_form=password_form,
        identities=owners.linked_identities(owner),
        providers=registry.all_providers().values(),
        sessions=owner_sessions.of(owner),
        this_session=current_session(),
    )


@bp.get("/account")
@login_required
def account() -> str:
    return _account_page(ChangePasswordForm())


@bp.post("/account/password")
@login_required
def change_password() -> Response | tuple[str, int]:
    owner = current_owner()
    assert owner is not None
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not owner.password_hash or not check_password_hash(
            owner.password_hash, form.current.data or ""
        ):
            form.current.errors = ["That is not your current password."]
        else:
            try:
                owners.set_password(owner, form.password.data, keep=current_session())
            except Rejected as error:
                form_error(form, error)
            else:
                flash("Your password is changed, and you are signed out everywhere else.", "info")
                return redirect(url_for("dashboard.account"))
    return _account_page(form), 400


@bp.post("/account/sessions/<int:session_id>/sign-out")
@login_required
def end_session(session_id: int) -> Response:
    owner = current_owner()
    assert owner is not None
    ActionForm().validate_on_submit()
    this = current_session()
    try:
        owner_sessions.end_one(owner, session_id)
    except Rejected:
        abort(404)
    if this is not None and this.id == session_id:
        sign_out()
        return redirect(url_for("dashboard.login"))
    flash("That browser is signed out.", "info")
    return redirect(url_for("dashboard.account"))


@bp.post("/account/sessions/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Response:
    owner = current_owner()
    assert owner is not None
    ActionForm().validate_on_submit()
    owner_sessions.end_all(owner)
    sign_out()
    flash("You are signed out everywhere, here too.", "info")
    return redirect(url_for("dashboard.login"))


# --- linked sign-in accounts (linking one: sign_in.py) -------------------------------


@bp.post("/account/unlink/<int:identity_id>")
@login_required
def unlink(identity_id: int) -> Response:
    owner = current_owner()
    assert owner is not None
    try:
        owners.unlink_identity(owner, identity_id)
    except Rejected:
        abort(404)
    flash("That account no longer signs you in here.", "info")
    return redirect(url_for("dashboard.account"))


# --- invitations -------------------------------------------------------------------------


@bp.route("/invites/<token>", methods=["GET", "POST"])
@limiter.limit(limit("WIDGET_RATELIMIT_LOGIN"), methods=["POST"], error_message=TOO_FAST)
def accept_invite(token: str) -> str | Response:
    """An invited person (or a signed-in owner) takes up an invitation to a site."""
    invite = owners.find_invite(token)  # 404 page when unknown, used or expired
    owner = current_owner()
    existing = owner or owners.find_owner(invite.email)
    form = NewPasswordForm() if existing is None else ActionForm()
    if form.validate_on_submit():
        try:
            joined = owners.accept_invite(token, owner=owner, password=form.data.get("password"))
        except Rejected as error:
            form_error(form, error)
        else:
            if owner is None and existing is None:
                sign_in(joined)  # they just chose their password
            elif owner is None:
                flash(f"{invite.site.name} was added to your sites: sign in to see it.", "info")
                return redirect(url_for("dashboard.login", next=url_for("dashboard.home")))
            flash(f"You now help run {invite.site.name}.", "info")
            return redirect(url_for("dashboard.site_home", site_id=invite.site_id))
    return render_template(
        "dashboard/invite.html", invite=invite, form=form, existing=existing, owner=owner
    )
