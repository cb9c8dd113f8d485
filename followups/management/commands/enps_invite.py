"""manage.py enps_invite <slug> <employees.csv> [--dry-run]"""

import csv

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from followups.invitations.employees import employee_invitations_send
from surveys.enps import employee_invitations_create
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Ask the employees of a CSV file (columns email, team) an employee survey by "
        "email. An employee already asked is not asked again. Their answers are anonymous."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The employee survey.")
        parser.add_argument("file", help="A CSV file with the columns email and team.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file only.")

    def handle(self, *args, slug, file, dry_run, **options):
        survey = Survey.objects.filter(slug=slug, kind=Survey.Kind.EMPLOYEE).first()
        if survey is None:
            raise CommandError(f"No employee survey '{slug}'.")
        if survey.status != Survey.Status.ACTIVE and not dry_run:
            raise CommandError(f"The survey '{slug}' is {survey.status}; activate it first.")
        try:
            with open(file, newline="", encoding="utf-8-sig") as handle:
                rows = [
                    (row.get("email", ""), row.get("team", "")) for row in csv.DictReader(handle)
                ]
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        if dry_run:
            self.stdout.write(f"{len(rows)} employee(s) in the file; nothing was sent.")
            return
        try:
            created = employee_invitations_create(survey=survey, employees=rows)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        sent = employee_invitations_send(survey=survey)
        self.stdout.write(f"{len(created)} employee(s) added, {sent} invitation(s) sent.")
