"""manage.py compute_themes [--period 2026-W09|2026-03] [--survey SLUG]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followups.insights import themes
from followups.models import ThemePeriod
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Compute the comment themes of a period (default: the last closed week or "
        "month, per NPS_THEMES_PERIOD) for every survey or one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="A week as 2026-W09 or a month as 2026-03.")
        parser.add_argument("--survey", help="Only this survey (its slug).")

    def handle(self, *args, period=None, survey=None, **options):
        if not themes.enabled():
            raise CommandError("Comment themes are turned off (NPS_THEMES_ENABLED=False).")
        try:
            chosen = (
                themes.Period.parse(period)
                if period
                else themes.last_closed_period(now=timezone.now())
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        surveys = Survey.objects.exclude(status=Survey.Status.DRAFT).order_by("name")
        if survey:
            surveys = surveys.filter(slug=survey)
            if not surveys.exists():
                raise CommandError(f"There is no survey “{survey}”.")
        for each in surveys:
            ids = themes.themes_compute(survey=each, period=chosen)
            rows = ThemePeriod.objects.filter(pk__in=ids).select_related("theme")
            self.stdout.write(f"{each.slug} {chosen.name}: {len(ids)} theme(s)")
            for row in rows.order_by("-share"):
                self.stdout.write(f"  {row.share:5.1f}%  {row.theme.label}")
