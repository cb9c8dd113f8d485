"""factory_boy factories for the whole suite."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from followups.models import (
    FollowUpCase,
    Offer,
    OfferGrant,
    OutboundMessage,
    Reward,
    RewardGrant,
)
from surveys import stats
from surveys.models import Customer, Invitation, Response, Survey


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.django.Password("correct-horse-battery")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    name = factory.Faker("name")
    segment = "retail"
    locale = "en"


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"survey-{n}")
    name = factory.LazyAttribute(lambda s: s.slug.replace("-", " ").title())
    status = Survey.Status.ACTIVE


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    survey = factory.SubFactory(SurveyFactory)
    customer = factory.SubFactory(CustomerFactory)
    sent_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        invitation = model_class(*args, **kwargs)
        invitation.prepare_token()
        invitation.save()
        return invitation


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    customer = factory.SubFactory(CustomerFactory)
    score = 9
    category = factory.LazyAttribute(lambda r: stats.classify(r.score))
    segment = factory.LazyAttribute(lambda r: r.customer.segment)


def staff_member(username: str, *, away: bool = False, **fields):
    """An active member of the service staff group."""
    from django.contrib.auth.models import Group

    from followups import roles
    from followups.models import StaffProfile

    user = UserFactory(username=username, **fields)
    user.groups.add(Group.objects.get(name=roles.SERVICE_STAFF))
    StaffProfile.objects.update_or_create(user=user, defaults={"is_away": away})
    return user


def manager(username: str = "manager", **fields):
    from django.contrib.auth.models import Group

    from followups import roles

    user = UserFactory(username=username, **fields)
    user.groups.add(Group.objects.get(name=roles.MANAGERS))
    return user


class OutboundMessageFactory(factory.django.DjangoModelFactory):
    """A queued email with nothing behind it; other channels by ``channel=``."""

    class Meta:
        model = OutboundMessage
        django_get_or_create = ("dedupe_key",)

    dedupe_key = factory.Sequence(lambda n: f"test-message:{n}")
    template = "case_message"
    language = "en"
    channel = OutboundMessage.Channel.EMAIL
    recipient = factory.Sequence(lambda n: f"recipient{n}@example.com")
    subject = "About your feedback"
    body_text = "Thank you for telling us.\n"


# --- Follow-ups: cases and grants -------------------------------------------
# Each takes its survey and customer from its response, as routing does: to
# choose them, pass ``response__survey=`` / ``response__customer=``.


class FollowUpCaseFactory(factory.django.DjangoModelFactory):
    """A detractor's open case, due after the survey's SLA."""

    class Meta:
        model = FollowUpCase

    response = factory.SubFactory(ResponseFactory, score=2)
    survey = factory.SelfAttribute("response.survey")
    customer = factory.SelfAttribute("response.customer")
    priority = factory.LazyAttribute(lambda c: FollowUpCase.priority_for_score(c.response.score))
    created_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(
        lambda c: c.created_at + timedelta(hours=c.survey.detractor_sla_hours)
    )
    resolution_due_at = factory.LazyAttribute(
        lambda c: c.created_at + timedelta(hours=c.survey.detractor_resolution_hours)
    )


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    name = factory.Sequence(lambda n: f"Offer {n}")
    description = "20% off your next renewal"
    code_prefix = "OFF"


class RewardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reward

    name = factory.Sequence(lambda n: f"Reward {n}")
    description = "15% off"
    code_prefix = "THX"


class _GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    survey = factory.SelfAttribute("response.survey")
    customer = factory.SelfAttribute("response.customer")
    created_at = factory.LazyFunction(timezone.now)


class OfferGrantFactory(_GrantFactory):
    """A passive's offer code, as routing issues it."""

    class Meta:
        model = OfferGrant

    response = factory.SubFactory(ResponseFactory, score=8)
    offer = factory.SubFactory(OfferFactory)
    code = factory.LazyAttribute(lambda g: g.offer.grant_code())
    expires_at = factory.LazyAttribute(lambda g: g.offer.grant_expires_at(g.created_at))


class RewardGrantFactory(_GrantFactory):
    """A promoter's reward, as routing issues it (no code for a thank-you note)."""

    class Meta:
        model = RewardGrant

    response = factory.SubFactory(ResponseFactory, score=10)
    reward = factory.SubFactory(RewardFactory)
    code = factory.LazyAttribute(lambda g: g.reward.grant_code())
    expires_at = factory.LazyAttribute(lambda g: g.reward.grant_expires_at(g.created_at))


def branded(**fields):
    """The installation's brand, with ``fields`` changed and saved."""
    from surveys.models import Brand

    brand = Brand.current()
    for name, value in fields.items():
        setattr(brand, name, value)
    brand.save()
    return brand


def department(name: str, *members):
    """A department with these users as its members."""
    from surveys.models import Department

    made, _ = Department.objects.get_or_create(name=name)
    made.members.add(*members)
    return made
