"""Accounts (people who log in) and contacts (customer records, with or without an account)."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entracte.core.translated import TranslatedField, tr


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("an email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Spectators log in with their email; staff too."""

    email = models.EmailField(_("email"), unique=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email


class Contact(models.Model):
    """A customer record. A guest contact has an email and no account."""

    INDIVIDUAL, ORGANISATION, ANONYMOUS = "individual", "organisation", "anonymous"
    KINDS = [(INDIVIDUAL, _("individual")), (ORGANISATION, _("organisation")), (ANONYMOUS, _("anonymous sale"))]
    user = models.OneToOneField(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact", verbose_name=_("account"))
    kind = models.CharField(_("kind"), max_length=12, choices=KINDS, default=INDIVIDUAL)
    email = models.EmailField(_("email"), blank=True)  # indexed in Meta (no LIKE-pattern index)
    organisation = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="people",
                                     limit_choices_to={"kind": "organisation"}, verbose_name=_("organisation"))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=5, default="fr")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(Lower("last_name"), name="contact_last_name_ci"), models.Index(fields=["email"], name="contact_email")]

    def __str__(self):
        name = self.display_name
        return f"{name} <{self.email}>" if name and self.email else (name or self.email or self.number)

    @property
    def display_name(self) -> str:
        """An organisation's name is kept in `last_name`."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def number(self) -> str:
        """The contact number staff read out and search by."""
        return f"C{self.pk:06d}" if self.pk else ""

    @property
    def is_guest(self) -> bool:
        return self.user_id is None


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str = "") -> str:
        key = secrets.token_urlsafe(32)
        cls.objects.create(user=user, digest=cls.hash(key), name=name)
        return key


class Indicator(models.Model):
    """A measure of a contact's relationship with the venue, in ordered levels (e.g. "Fidélité":
    Occasionnel < Régulier < Assidu). Advantages and promo codes may require a level."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = TranslatedField(_("name"))

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self):
        return tr(self.name) or self.code


class IndicatorLevel(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="levels", verbose_name=_("indicator"))
    code = models.SlugField(_("code"), max_length=32)
    name = TranslatedField(_("name"))
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("Higher ranks include the lower ones."))

    class Meta:
        verbose_name = _("indicator level")
        verbose_name_plural = _("indicator levels")
        ordering = ["indicator", "rank"]
        constraints = [models.UniqueConstraint(fields=["indicator", "code"], name="indicator_level_code_once"),
                       models.UniqueConstraint(fields=["indicator", "rank"], name="indicator_level_rank_once")]

    def __str__(self):
        return f"{self.indicator} : {tr(self.name) or self.code}"


class ContactIndicator(models.Model):
    """A contact's level for an indicator (one level per indicator)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("contact"))
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("indicator"))
    level = models.ForeignKey(IndicatorLevel, on_delete=models.CASCADE, related_name="+", verbose_name=_("level"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact indicator")
        verbose_name_plural = _("contact indicators")
        constraints = [models.UniqueConstraint(fields=["contact", "indicator"], name="contact_indicator_once")]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.level_id and self.indicator_id and self.level.indicator_id != self.indicator_id:
            raise ValidationError({"level": _("This level belongs to another indicator.")})


class TargetList(models.Model):
    """A campaign's list of contacts, built by hand or imported from a CSV file."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = TranslatedField(_("name"))
    contacts = models.ManyToManyField(Contact, blank=True, related_name="target_lists", verbose_name=_("contacts"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("target list")
        verbose_name_plural = _("target lists")
        ordering = ["code"]

    def __str__(self):
        return tr(self.name) or self.code
