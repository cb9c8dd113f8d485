"""manage.py train_root_causes: train the root-cause suggestion model on the
labelled cases now, whatever the number of new labels, and say how it did."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from followups.insights.suggestions import root_cause_model_train, training_cases


class Command(BaseCommand):
    help = (
        "Train a new version of the root-cause suggestion model on the detractor cases whose "
        "root cause a person set. It becomes active when its cross-validated macro-F1 reaches "
        "NPS_SUGGESTION_MIN_QUALITY. --if-due trains only when NPS_SUGGESTION_RETRAIN_AFTER "
        "new labels exist (as the periodic job does)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-due", action="store_true", help="Only when enough new labels exist."
        )

    def handle(self, *args, if_due, **options):
        if not settings.NPS_SUGGESTIONS_ENABLED:
            raise CommandError("Root-cause suggestions are off (NPS_SUGGESTIONS_ENABLED).")
        model = root_cause_model_train(force=not if_due)
        if model is None:
            self.stdout.write(
                f"No model trained: {training_cases().count()} labelled case(s) "
                f"(at least {settings.NPS_SUGGESTION_MIN_LABELS} needed, or too few new ones, "
                "or waiting after failed attempts: see the log)."
            )
            return
        state = "active" if model.is_active else "not trusted (below NPS_SUGGESTION_MIN_QUALITY)"
        self.stdout.write(
            f"Model v{model.version}: {model.training_size} cases, "
            f"macro-F1 {model.macro_f1:.3f}, top-2 {model.top2_accuracy:.3f}, {state}."
        )
