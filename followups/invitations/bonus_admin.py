"""The survey admin's inline for its bonus for non-responders."""

from __future__ import annotations

from django.contrib import admin

from followups.models import ReminderBonus


class ReminderBonusInline(admin.StackedInline):
    model = ReminderBonus
    can_delete = True
    extra = 0
    max_num = 1
    fields = ("is_active", "offer", "reward", "window_days", "share_percent")
