import time

from django.core.management.base import BaseCommand

from alerts.schedule import beat, tick


class Command(BaseCommand):
    help = (
        "Email alerts clock: alerts for rounds that opened or close in 7 days, daily and weekly digests, "
        "emails to retry. Run every few minutes (cron), or keep it running with --every SECONDS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Run again every this many seconds.")

    def handle(self, *args, every, **options):
        while True:
            result = tick()
            beat(every=every)
            self.stdout.write(f"alerts clock: {result}", ending="\n")
            self.stdout.flush()
            if not every:
                return
            time.sleep(every)
