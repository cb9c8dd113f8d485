"""What answers lead to, as rows with the rules about one row, a file per part:

- ``incentives``: ``Offer``, ``Reward`` (the catalogue), ``SurveyIncentive``, ``new_code``
- ``grants``: ``OfferGrant``, ``RewardGrant`` and their status, ``LinkClick``, ``ReferralUse``
- ``cases``: ``FollowUpCase``, ``CaseEvent`` (its timeline), ``RootCause``, ``StaffProfile``
- ``outbox``: ``OutboundMessage``, and ``ChannelManager`` for one channel's delivery log
- ``mail``: ``MailEvent`` (bounces, complaints), ``InboundReply`` (replies to a case)
- ``webhooks``: ``HttpTarget``, ``WebhookEndpoint``, ``WebhookDelivery``, ``WebhookAttempt``
- ``chat``: ``ChatAlert`` (Slack), ``ChatAlertDelivery``
- ``improvements``: ``ImprovementAction`` (the outer loop)
- ``insights``: ``RootCauseModel``, ``RootCauseTraining``, ``Theme`` and its periods
- ``bonus``: ``ReminderBonus``, ``ReminderBonusAssignment``, ``BonusGrant``
- ``sms``: ``InboundSms`` (texts customers send)

Each file imports only the ones it needs, above it in this list. Every name is
imported from here (``from followups.models import FollowUpCase``); migrations
name ``followups.models.detractors_only``, which stays importable here.
"""

# Django registers the models in the order their files are imported: the order
# they were declared in when this was one file (content types, deletion order).
# isort: off
from .incentives import CODE_ALPHABET, Incentive, Offer, Reward, SurveyIncentive, new_code
from .grants import Grant, GrantStatus, LinkClick, OfferGrant, ReferralUse, RewardGrant
from .cases import CaseEvent, FollowUpCase, FollowUpCaseQuerySet, RootCause, StaffProfile
from .outbox import ChannelManager, OutboundMessage, OutboundMessageQuerySet
from .mail import InboundReply, MailEvent
from .webhooks import (
    HttpTarget,
    HttpTargetQuerySet,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from .chat import ChatAlert, ChatAlertDelivery, detractors_only, url_masked
from .improvements import ImprovementAction
from .insights import (
    ResponseTheme,
    RootCauseModel,
    RootCauseTraining,
    Theme,
    ThemeComputation,
    ThemePeriod,
)
from .bonus import BonusArm, BonusGrant, ReminderBonus, ReminderBonusAssignment
from .sms import InboundSms
# isort: on

__all__ = [
    "CODE_ALPHABET",
    "BonusArm",
    "BonusGrant",
    "CaseEvent",
    "ChannelManager",
    "ChatAlert",
    "ChatAlertDelivery",
    "FollowUpCase",
    "FollowUpCaseQuerySet",
    "Grant",
    "GrantStatus",
    "HttpTarget",
    "HttpTargetQuerySet",
    "ImprovementAction",
    "InboundReply",
    "InboundSms",
    "Incentive",
    "LinkClick",
    "MailEvent",
    "Offer",
    "OfferGrant",
    "OutboundMessage",
    "OutboundMessageQuerySet",
    "ReferralUse",
    "ReminderBonus",
    "ReminderBonusAssignment",
    "ResponseTheme",
    "Reward",
    "RewardGrant",
    "RootCause",
    "RootCauseModel",
    "RootCauseTraining",
    "StaffProfile",
    "SurveyIncentive",
    "Theme",
    "ThemeComputation",
    "ThemePeriod",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "detractors_only",
    "new_code",
    "url_masked",
]
