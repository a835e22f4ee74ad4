import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

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
            try:
                result = tick()
                beat(every=every)
            except DatabaseError as error:
                if not every:
                    raise
                # A busy or briefly unreachable database costs this run, not the clock: each
                # event is keyed, so the next run catches up on what this one missed.
                self.stderr.write(f"alerts clock: this run failed ({error}); trying again in {every} s")
                close_old_connections()
            else:
                self.stdout.write(f"alerts clock: {result}")
                self.stdout.flush()
            if not every:
                return
            time.sleep(every)
