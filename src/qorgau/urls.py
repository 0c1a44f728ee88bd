"""URL configuration. Every view declares its access rule (access.policy); a test checks each
URL for each role and scope."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qorgau.access import policy
from qorgau.access import views as access_views
from qorgau.core import health
from qorgau.portal import views as portal_views

# A page that does not exist: under /kk/, /ru/, /en/ a public page with the exit button.
handler404 = "qorgau.portal.views.not_found"
# A request refused before any view (a control character): a problem document under /api/.
handler400 = "qorgau.api.problems.bad_request"

urlpatterns = [
    # Staff logged in: their home; anyone else: the public page (/kk/), no cookie set.
    path("", portal_views.entrance, name="home"),
    path("login/", policy.public(auth_views.LoginView.as_view()), name="login"),
    path("logout/", policy.public(auth_views.LogoutView.as_view()), name="logout"),
    path("otp/", access_views.otp_view, name="otp"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include("qorgau.registry.urls")),
    path("oversight/", include("qorgau.oversight.urls")),
    path("audit/", include("qorgau.access.trail_urls")),
    path("stats/", include("qorgau.stats.urls")),
    path("letters/", include("qorgau.letters.urls")),
    path("campaigns/", include("qorgau.campaigns.urls")),
    path("training/", include("qorgau.training.urls")),
    path("admin/", admin.site.urls),
    # The API for other systems (api/, docs/api.md): version 1.
    path("api/v1/", include("qorgau.api.urls")),
    # Probes (live, ready): answered by core.health's middleware before the host check and the
    # HTTPS redirect; named here for the URL table and reverse() (docs/operations.md).
    path("healthz", policy.public(health.healthz), name="healthz"),
    path("readyz", policy.public(health.readyz), name="readyz"),
]
# The public page, with the language in the address: /kk/…, /ru/…, /en/…
urlpatterns += i18n_patterns(path("", include("qorgau.portal.urls")), prefix_default_language=True)
