"""Report mutuals whose pin is outside England or outside the region their record names."""

from django.core.management.base import BaseCommand

from mutuals.geography import pin_problem, postcode_pin_problem
from mutuals.models import Mutual


class Command(BaseCommand):
    help = (
        "List every mutual whose pin does not lie in its region (within 2 km), or is more than 5 km from its "
        "postcode or in another region than it. Changes nothing."
    )

    def handle(self, **options):
        mutuals = Mutual.objects.select_related("region").order_by("name")
        wrong = 0
        for mutual in mutuals:
            problem = pin_problem(
                mutual.region.ons_code, mutual.region.name, mutual.latitude, mutual.longitude
            ) or postcode_pin_problem(mutual.postcode, mutual.latitude, mutual.longitude)
            if problem:
                wrong += 1
                self.stdout.write(f"{mutual.name}: {problem}")
        self.stdout.write(f"{wrong} of {len(mutuals)} pins are outside their region or away from their postcode.")
