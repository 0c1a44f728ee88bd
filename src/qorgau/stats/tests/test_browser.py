"""The dashboard in a real browser (Debian's chromium driven by Playwright): the charts, the
map and the funnel plot render, and no request leaves the site."""

import io
from urllib.parse import urlparse

import pytest
from django.core.management import call_command

from tests.fixtures import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_dashboard_renders_map_funnel_and_series_without_other_hosts(
    live_server, browser, tmp_path
):
    call_command("load-seed", stdout=io.StringIO())
    make_user("analyst_b", "analyst")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "analyst_b")
    page.fill("#id_password", "analyst_b-pass-123")
    page.locator("main button[type=submit]").click()
    page.goto(f"{live_server.url}/stats/?articles=115-1&date_from=2026-01-01&date_to=2026-12-31")
    charts = page.locator("svg.chart")
    assert charts.count() == 5
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100
    assert page.locator("svg.chart path.region").count() == 20  # the map's regions
    assert page.locator("svg.chart circle.out").count() >= 1  # Shymkent stands out in the funnel
    assert "OpenStreetMap" in page.content()
    # The regions table: Shymkent's row holds its 23 cases, the table's total the letter's 79.
    shymkent = page.locator('#regions-table tbody tr[data-region="KZ-79"]')
    assert shymkent.count() == 1
    assert shymkent.locator("td.count").inner_text().strip() == "23"
    assert page.locator("#regions-table tfoot td.total").inner_text().strip() == "79"
    counts = page.locator("#regions-table tbody td.count").all_inner_texts()
    assert sum(int(n) for n in counts) == 79
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert hosts == {urlparse(live_server.url).netloc}
