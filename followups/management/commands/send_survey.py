"""manage.py send_survey <slug> [--segment S] [--limit N] [--dry-run]"""

from django.core.management.base import BaseCommand, CommandError

from followups.invitations.waves import wave_plan, wave_send
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Invite customers to a survey by email, respecting the survey's throttle days; "
        "unsubscribed and erased customers are never invited."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The survey to send.")
        parser.add_argument("--segment", help="Only customers of this segment.")
        parser.add_argument("--limit", type=int, help="At most this many invitations.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say who would be invited and who skipped."
        )

    def handle(self, *args, slug, segment, limit, dry_run, **options):
        survey = Survey.objects.filter(slug=slug).first()
        if survey is None:
            known = ", ".join(Survey.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No survey '{slug}'. Known surveys: {known}.")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be a positive number.")
        if survey.status != Survey.Status.ACTIVE and not dry_run:
            raise CommandError(
                f"The survey '{slug}' is {survey.status}; activate it before sending."
            )
        plan = wave_plan(survey=survey, segment=segment, limit=limit)
        self.stdout.write(f"{survey.name}: {plan.summary}.")
        if dry_run:
            self.stdout.write("Dry run: nothing was sent.")
            return
        total = len(plan.to_send)
        done = 0

        def progress(count: int) -> None:
            nonlocal done
            done += count
            width = 30
            filled = width * done // max(total, 1)
            self.stdout.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
            )
            self.stdout.flush()

        sent = wave_send(plan, progress=progress)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"{sent} invitations queued for sending."))
