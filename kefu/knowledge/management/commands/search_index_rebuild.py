"""Fill or refresh the work-order search index from the orders (idempotent; the demo loader and
bench/ call it after writing orders in bulk, outside the gate)."""

from django.core.management.base import BaseCommand

from kefu.knowledge.index import search_index_rebuild


class Command(BaseCommand):
    help = "Index every work order for search (idempotent); prints time and index size."

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=2000)

    def handle(self, *args, chunk, verbosity, **options):
        def progress(done):
            if done % 50000 < chunk and verbosity > 1:
                self.stdout.write(f"  {done} orders")

        result = search_index_rebuild(chunk=chunk, progress=progress)
        sizes = result["sizes"]
        self.stdout.write(
            f"{result['orders']} work orders indexed in {result['seconds']} s "
            f"(loading {result['load_seconds']} s); table {sizes['table'] or 0:,} bytes, "
            f"n-gram index {sizes['grams_index'] or 0:,} bytes, total {sizes['table_and_indexes'] or 0:,} bytes")
