"""The dashboard's forms: Flask-WTF, so every one carries a CSRF token.

A form collects; the service it feeds checks (a site's settings: widget/sites.py), so that the
dashboard, the CLI and the tests meet one rule each.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # (no stub yet)
from wtforms.validators import DataRequired, EqualTo, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import Moderation, utcnow

MODERATION_CHOICES = [
    SelectChoice(Moderation.OFF.value, "Off: publish every comment at once"),
    SelectChoice(Moderation.LINKS.value, "Links: hold comments with more links than the limit"),
    SelectChoice(
        Moderation.FIRST_TIME.value, "First time: hold a guest's comments until one is approved"
    ),
    SelectChoice(Moderation.ALL.value, "All: hold every comment for approval"),
]
THEME_CHOICES = [
    SelectChoice("auto", "The reader's setting"),
    SelectChoice("light", "Light"),
    SelectChoice("dark", "Dark"),
]
BLOCK_ACTIONS = [
    SelectChoice("refuse", "Refuse their new comments"),
    SelectChoice("hold", "Hold them for approval"),
]
EXPIRY_CHOICES = [
    SelectChoice("", "Never"),
    SelectChoice("1", "1 day"),
    SelectChoice("7", "7 days"),
    SelectChoice("30", "30 days"),
    SelectChoice("365", "1 year"),
]


def expiry(days: str | None) -> datetime | None:
    """When a block chosen "for N days" ends; None: never."""
    return utcnow() + timedelta(days=int(days)) if days and days.isdigit() else None


ROLE_CHOICES = [
    SelectChoice("owner", "Owner: everything"),
    SelectChoice("moderator", "Moderator: comments only"),
]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DashboardForm(FlaskForm):  # type: ignore[misc]  # (flask_wtf has no types: FlaskForm is Any)
    """What every form here is: Flask-WTF's, with its CSRF token."""


class ActionForm(DashboardForm):
    """A button that changes something: only the CSRF token."""


class LoginForm(DashboardForm):
    email = EmailField("Email", validators=[DataRequired("Give your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Give your password.")])
    next = HiddenField()


class SiteForm(DashboardForm):
    name = StringField("Name")
    origins = TextAreaField(
        "Allowed origins",
        description="One per line, e.g. https://blog.example.com: the pages that may embed it.",
    )


class SettingsForm(SiteForm):
    moderation = SelectField("Mode", choices=MODERATION_CHOICES, validate_choice=False)
    link_limit = IntegerField(
        "Link limit",
        description="In “links” mode, comments with more links than this wait for approval.",
    )
    guests_allowed = BooleanField("Guests may comment without signing in")
    providers = CheckboxesField("Sign-in providers offered", choices=[])
    held_words = TextAreaField(
        "Words that hold a comment",
        description="One word or phrase per line; a comment containing one waits for approval.",
    )
    spam_filter = BooleanField("Learned spam filter: score guests' comments")
    spam_hold_at = FloatField(
        "Hold for approval from score",
        validators=[Optional()],  # left out: the site's stays
        description="0 to 1. A guest's comment scored this or higher waits for approval; a "
        "signed-in reader's only from the spam score.",
    )
    spam_at = FloatField(
        "Keep as spam from score",
        validators=[Optional()],
        description="0 to 1, no lower than the hold score; 1 never calls a comment spam. Spam "
        "stays in the Spam list, never deleted unseen.",
    )
    theme = SelectField("Default colours", choices=THEME_CHOICES, validate_choice=False)
    reply_depth = IntegerField(
        "Nest replies this many levels deep",
        validators=[Optional()],  # left out: the site's depth stays
        description="1 to 10, counting top-level comments as the first; a reply past the last "
        "level joins it. 1 turns nesting off.",
    )


class ThreadTitleForm(DashboardForm):
    title = StringField("Title", description="What readers see above the thread.")


class BodyForm(DashboardForm):
    body = TextAreaField("Text", validators=[DataRequired("Write something first.")])


class BlockForm(DashboardForm):
    kind = SelectField(
        "Block", choices=[SelectChoice("email", "Email address"), SelectChoice("ip", "IP address")]
    )
    value = StringField("Address", validators=[DataRequired("Give the address to block.")])
    action = SelectField("Then", choices=BLOCK_ACTIONS)
    expires = SelectField("For", choices=EXPIRY_CHOICES, validators=[Optional()])


class BlockAuthorForm(DashboardForm):
    kind = SelectField(
        "Block by",
        choices=[
            SelectChoice("email", "Their email"),
            SelectChoice("user", "Their account"),
            SelectChoice("ip", "Their IP"),
        ],
    )
    action = SelectField("Then", choices=BLOCK_ACTIONS)
    expires = SelectField("For", choices=EXPIRY_CHOICES, validators=[Optional()])


class InviteForm(DashboardForm):
    email = EmailField("Email", validators=[DataRequired("Give their email address.")])
    role = SelectField("Role", choices=ROLE_CHOICES)


class NewPasswordForm(DashboardForm):
    password = PasswordField("Password", validators=[DataRequired("Choose a password.")])
    confirm = PasswordField(
        "Password again", validators=[EqualTo("password", "The two passwords differ.")]
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired("Choose a password.")])


class ImportForm(DashboardForm):
    file = FileField("Export file")
    format = SelectField(
        "Format",
        choices=[
            SelectChoice("auto", "Tell from the file"),
            SelectChoice("wordpress", "WordPress or WordPress.com (WXR)"),
            SelectChoice("disqus", "Disqus (XML)"),
            SelectChoice("isso", "Isso (comments.db)"),
            SelectChoice("json", "A backup of this service (JSON)"),
        ],
    )
    maps = TextAreaField(
        "Moved pages",
        description="One OLD=NEW per line: pages under OLD (an address or a /path/) are now "
        "under NEW, e.g. http://old.example=https://blog.example.com",
    )
    pings = BooleanField("Import pingbacks and trackbacks as comments")
    dry_run = BooleanField("Check only: report what would be imported, write nothing")
