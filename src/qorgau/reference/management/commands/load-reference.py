"""``qorgau load-reference``: re-apply reference/data/ (regions, bodies, offences) after a change."""

from django.db import transaction
from django.utils.translation import gettext as _

from qorgau.core.commands import QorgauCommand
from qorgau.reference import loaders
from qorgau.reference.models import Article, ArticlePart, Body, Law, Region


class Command(QorgauCommand):
    help = (
        "Create or update regions, bodies, laws, articles and parts from the reference data files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all-articles",
            action="store_true",
            help="Also load the other Criminal Code articles (criminal_code_articles.json).",
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            regions = loaders.load_regions(Region)
            bodies = loaders.load_bodies(Region, Body)
            articles = loaders.load_offences(Law, Article, ArticlePart)
            if options["all_articles"]:
                path = loaders.CRIMINAL_CODE_PATH
                articles += loaders.load_offences(Law, Article, ArticlePart, path)
        self.stdout.write(
            _(
                "Reference data applied: %(regions)d regions, %(bodies)d bodies, %(articles)d articles."
            )
            % {"regions": regions, "bodies": bodies, "articles": articles}
        )
