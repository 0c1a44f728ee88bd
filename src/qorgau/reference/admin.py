from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qorgau.core.importing import ImportRejected

from . import loaders
from .forms import PopulationUploadForm
from .models import Article, ArticlePart, Body, DeadlineRule, Law, PopulationFigure, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name_kk", "name_ru", "name_en", "kind"]
    list_display_links = ["code"]
    search_fields = ["code", "name_kk", "name_ru", "name_en"]


@admin.register(PopulationFigure)
class PopulationFigureAdmin(admin.ModelAdmin):
    list_display = ["region", "reference_date", "population", "precision", "vintage"]
    list_filter = ["reference_date", "region"]
    change_list_template = "admin/reference/populationfigure/change_list.html"

    def get_urls(self):
        urls = super().get_urls()
        extra = [
            path(
                "load/",
                self.admin_site.admin_view(self.load_view),
                name="reference_population_load",
            )
        ]
        return extra + urls

    def load_view(self, request):
        """Load an official population table from CSV, all or nothing."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = PopulationUploadForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    count = loaders.load_population(
                        Region, PopulationFigure, form.cleaned_data["file"].read()
                    )
            except ImportRejected as exc:
                errors = exc.errors
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, _("Population figures loaded: %(count)d.") % {"count": count}
                )
                return redirect("admin:reference_populationfigure_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "title": gettext_lazy("Load population table"),
            "opts": self.model._meta,
        }
        return render(request, "admin/reference/populationfigure/load.html", context)


@admin.register(Law)
class LawAdmin(admin.ModelAdmin):
    list_display = ["number", "signed_on", "in_force_on"]


class ArticlePartInline(admin.TabularInline):
    model = ArticlePart
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["code", "title_kk", "title_ru", "category", "iccs_code", "in_force_on", "law"]
    inlines = [ArticlePartInline]


@admin.register(ArticlePart)
class ArticlePartAdmin(admin.ModelAdmin):
    list_display = ["article", "number", "gravity"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["code", "name_kk", "name_ru", "name_en"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    """Legal terms with their source. Saving an investigation-term rule recomputes the open
    cases' term ends (``registry.receivers``)."""

    list_display = ["kind", "category", "amount", "unit", "legal_source"]
