from django.core.management.base import BaseCommand, CommandError

from entracte.catalog.models import Hall
from entracte.catalog.services import SeatMapInvalid, import_seatmap


class Command(BaseCommand):
    help = "Import a seat map CSV file into a hall (format: docs/seatmap-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("hall_id", type=int)
        parser.add_argument("csv_file")

    def handle(self, hall_id, csv_file, **options):
        try:
            hall = Hall.objects.get(pk=hall_id)
        except Hall.DoesNotExist as exc:
            raise CommandError(f"no hall with id {hall_id}") from exc
        with open(csv_file, encoding="utf-8") as fh:
            text = fh.read()
        try:
            summary = import_seatmap(hall=hall, text=text)
        except SeatMapInvalid as exc:
            for line, message in exc.errors:
                self.stderr.write(f"line {line}: {message}")
            raise CommandError("nothing imported") from exc
        self.stdout.write(f"imported {summary['seats']} seats in {summary['areas']} areas, {summary['standing']} standing places")
