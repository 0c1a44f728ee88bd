"""The case page tells the case's whole story, offers only the actions the lifecycle and the
policy allow, links the case and the reports it was opened from both ways, and prints as a PDF
card with the same pseudonymous data (issue 12, item 4)."""

import os
import re
import zlib

import pytest
from django.urls import reverse
from django.utils import translation

from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.oversight import services as oversight
from qorgau.reference import rules
from qorgau.reference.models import ArticlePart, Body
from qorgau.registry import lifecycle, services, timeline
from qorgau.registry.choices import CaseStatus, Decision
from qorgau.registry.models import Case
from tests.fixtures import SYSTEM, local, make_user

# The trail's time is the database's own clock (db_default=Now()) and PostgreSQL's trail refuses
# UPDATE (append-only trigger), so a test can place an entry at a chosen moment only on SQLite;
# the same rendering code runs on both.
SQLITE_ONLY = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="sets audit entries' times by UPDATE, which PostgreSQL's append-only trail refuses",
)


pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "registrar": make_user("registrar_shymkent", "registrar", "KZ-79"),
        "investigator": make_user("investigator_shymkent", "investigator", "KZ-79"),
        "prosecutor": make_user("prosecutor_shymkent", "prosecutor", "KZ-79"),
    }


def _report(actor, region, at):
    return services.create_report(
        actor, region, received_at=at, channel="call_102",
        receiving_body=Body.objects.get(code="POL-79"), summary="Following her after work.",
    )  # fmt: skip


@pytest.fixture
def story(people, shymkent, stalking, time_machine):
    """A case of Shymkent with a bit of everything, each step by its own person and moment."""
    as_ = {role: Actor.person(user) for role, user in people.items()}
    time_machine.move_to(local(2026, 1, 10, 9, 0), tick=False)
    report = _report(as_["registrar"], shymkent, local(2026, 1, 10, 8, 0))
    time_machine.move_to(local(2026, 1, 10, 10, 30), tick=False)
    case = services.register_case(
        as_["registrar"], shymkent, article_part=stalking,
        registered_at=local(2026, 1, 10, 10, 0), reports=[report],
        investigating_body=Body.objects.filter(region=shymkent).first(),
    )  # fmt: skip
    time_machine.move_to(local(2026, 1, 12, 11, 0), tick=False)
    party = services.add_party(as_["investigator"], case, services.PartyData(role="victim", sex="F", age_band="18-24"))  # fmt: skip
    time_machine.move_to(local(2026, 1, 13, 11, 0), tick=False)
    services.update_party(as_["investigator"], party, services.PartyData(role="victim", sex="F", age_band="18-24", consent_further_use=True))  # fmt: skip
    time_machine.move_to(local(2026, 1, 20, 9, 0), tick=False)
    coercion = ArticlePart.objects.get(article__code="125-1", number=1)
    services.requalify(as_["investigator"], case, coercion, reason="coercion into marriage found")
    time_machine.move_to(local(2026, 1, 25, 9, 0), tick=False)
    oversight.add_control(as_["prosecutor"], case, instruction="Question the witnesses.")
    time_machine.move_to(local(2026, 3, 1, 9, 0), tick=False)
    services.extend_term(as_["investigator"], case, amount=1, unit="months",
                         authorised_by="city prosecutor", reason="expertise")  # fmt: skip
    time_machine.move_to(local(2026, 3, 20, 23, 30), tick=False)  # 18:30 UTC: the day differs
    lifecycle.transition(as_["investigator"], case, CaseStatus.SUSPENDED, ground="suspect_hiding")
    time_machine.move_to(local(2026, 4, 1, 12, 0), tick=False)
    return Case.objects.get(pk=case.pk), report


@SQLITE_ONLY
def test_timeline_tells_each_step_in_words_in_order_with_who_did_it(story):
    case, _report = story
    with translation.override("en"):
        events = timeline.story(case)
        lines = timeline.words(events)
    titles = [e.title for e in events]
    assert titles == [
        "Report entered",
        "Decision on a report recorded",
        "Case registered",
        "Party added to a case",
        "Party corrected",
        "Case requalified",
        "Control instruction given",
        "Investigation term extended",
        "Case status changed",
    ], lines
    assert [e.actor for e in events] == [
        "registrar_shymkent", "registrar_shymkent", "registrar_shymkent",
        "investigator_shymkent", "investigator_shymkent", "investigator_shymkent",
        "prosecutor_shymkent", "investigator_shymkent", "investigator_shymkent",
    ]  # fmt: skip
    assert [e.at for e in events] == sorted(e.at for e in events)
    by_title = dict(zip(titles, lines, strict=True))
    # Kazakhstan time: 23:30 on 20 March, though UTC is still 18:30.
    assert by_title["Case status changed"].startswith("20.03.2026 23:30")
    assert "Status: under investigation → suspended" in by_title["Case status changed"]
    assert "the suspect is hiding" in by_title["Case status changed"]
    assert "Qualification: 115-1 part 1 → 125-1 part 1" in by_title["Case requalified"]
    assert "Reason: coercion into marriage found" in by_title["Case requalified"]
    assert "Length: 1 month" in by_title["Investigation term extended"]
    assert "Authorised by: city prosecutor" in by_title["Investigation term extended"]
    assert (
        "Investigation term ends on: 10.03.2026 → 10.04.2026"
        in by_title["Investigation term extended"]
    )
    assert "Role: victim" in by_title["Party added to a case"]
    assert "Consent to use beyond the investigation: — → yes" in by_title["Party corrected"]
    assert (
        "Decision: no decision yet → registered as a case"
        in by_title["Decision on a report recorded"]
    )
    # The instruction's text is not in the trail, and not on the page either.
    assert "Question the witnesses" not in " ".join(lines)


def test_reads_are_not_part_of_the_story(client, login, story, people):
    case, report = story
    login(client, people["prosecutor"])
    before = len(timeline.story(case))
    for url in (reverse("registry:case_detail", args=[case.number]),
                reverse("registry:report_detail", args=[report.pk]),
                reverse("registry:case_card", args=[case.number])):  # fmt: skip
        assert client.get(url).status_code == 200
    assert AuditEntry.objects.filter(action__in=timeline.READS).count() >= 3
    assert len(timeline.story(case)) == before


def test_the_page_shows_the_story_and_links_the_report_both_ways(client, login, story, people):
    case, report = story
    login(client, people["investigator"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("registry:case_detail", args=[case.number])).content.decode()
    report_page = client.get(reverse("registry:report_detail", args=[report.pk])).content.decode()
    assert reverse("registry:report_detail", args=[report.pk]) in page
    assert reverse("registry:case_detail", args=[case.number]) in report_page
    assert "History of the case" in page and "Case requalified" in page
    assert "investigator_shymkent" in page and "registrar_shymkent" in page
    assert "20.03.2026 23:30" in page  # Kazakhstan time
    assert "govuk-tag" in page and "suspended" in page
    assert reverse("registry:case_card", args=[case.number]) in page


def test_a_case_sent_to_court_offers_no_extension_and_refuses_one(client, login, make_case, people):
    case = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    login(client, people["investigator"])
    url = reverse("registry:case_detail", args=[case.number])
    extend = reverse("registry:case_extend", args=[case.number])
    assert extend in client.get(url).content.decode()  # still under investigation: offered
    lifecycle.transition(SYSTEM, case, CaseStatus.SENT_TO_COURT, reason="indictment")
    page = client.get(url).content.decode()
    assert extend not in page
    assert reverse("registry:case_requalify", args=[case.number]) not in page
    client.cookies["django_language"] = "en"
    response = client.post(extend, {"amount": "1", "unit": "months",
                                    "authorised_by": "city prosecutor", "reason": "late"})  # fmt: skip
    assert response.status_code == 400
    assert "can be extended" in response.content.decode()
    assert not case.extensions.exists()
    # The form itself is not offered either: back to the case with the reason.
    response = client.get(extend)
    assert response.status_code == 302 and response["Location"] == url


def test_no_extension_offered_once_the_term_reached_the_laws_maximum(
    client, login, make_case, people, time_machine
):
    case = make_case(article="115-1", registered_at=local(2026, 1, 10, 10, 0))
    time_machine.move_to(local(2026, 2, 1, 9, 0), tick=False)
    limit = rules.case_term_limit(case)
    days = (limit - case.term_ends_on).days
    services.extend_term(SYSTEM, case, amount=days, authorised_by="city prosecutor", reason="x")
    login(client, people["investigator"])
    page = client.get(reverse("registry:case_detail", args=[case.number])).content.decode()
    assert reverse("registry:case_extend", args=[case.number]) not in page


def test_a_closed_case_is_not_requalified_nor_offered_a_status_it_cannot_take(
    client, login, make_case, people, coercion
):
    from qorgau.core.errors import Conflict

    case = make_case()
    target = make_case()
    lifecycle.transition(SYSTEM, case, CaseStatus.JOINED, joined_to=target)
    login(client, people["investigator"])
    page = client.get(reverse("registry:case_detail", args=[case.number])).content.decode()
    assert reverse("registry:case_status", args=[case.number]) not in page  # nothing may follow
    assert reverse("registry:case_requalify", args=[case.number]) not in page
    with pytest.raises(Conflict):
        services.requalify(SYSTEM, case, coercion, reason="later")
    response = client.post(reverse("registry:case_requalify", args=[case.number]),
                           {"article_part": coercion.pk, "reason": "later"})  # fmt: skip
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).article_part_id != coercion.pk


def test_links_follow_the_role(client, login, make_case, people):
    case = make_case()
    url = reverse("registry:case_detail", args=[case.number])
    login(client, people["registrar"])
    page = client.get(url).content.decode()
    # A registrar keeps parties, but changes no status, requalifies and extends nothing.
    assert reverse("registry:case_party", args=[case.number]) in page
    for name in ("case_status", "case_requalify", "case_extend"):
        assert reverse(f"registry:{name}", args=[case.number]) not in page, name
    login(client, people["prosecutor"])
    page = client.get(url).content.decode()
    assert reverse("registry:case_party", args=[case.number]) not in page
    for name in ("case_status", "case_requalify", "case_extend"):
        assert reverse(f"registry:{name}", args=[case.number]) in page, name


def test_irreversible_steps_ask_first_and_the_server_refuses_a_repeat(
    client, login, make_case, people
):
    case = make_case()
    login(client, people["investigator"])
    page = client.get(reverse("registry:case_detail", args=[case.number])).content.decode()
    assert "data-confirm=" in page
    url = reverse("registry:case_status", args=[case.number])
    data = {"to_status": CaseStatus.SENT_TO_COURT, "reason": "indictment"}
    assert client.post(url, data).status_code == 302
    # The same step again (a second click, a stale page): refused, nothing recorded twice.
    assert client.post(url, data).status_code == 400
    assert case.status_changes.filter(to_status=CaseStatus.SENT_TO_COURT).count() == 1
    report = _report(SYSTEM, case.region, local(2026, 1, 5, 10, 0))
    login(client, people["registrar"])
    page = client.get(reverse("registry:report_detail", args=[report.pk])).content.decode()
    assert "data-confirm=" in page
    decide = {"decision": Decision.SENT_ELSEWHERE, "note": "to the akimat"}
    assert (
        client.post(reverse("registry:report_detail", args=[report.pk]), decide).status_code == 302
    )
    again = {"decision": Decision.NO_OFFENCE, "note": ""}
    assert (
        client.post(reverse("registry:report_detail", args=[report.pk]), again).status_code == 400
    )
    report.refresh_from_db()
    assert report.decision == Decision.SENT_ELSEWHERE


def test_the_report_page_offers_no_decision_to_those_who_may_not_decide(
    client, login, make_case, people
):
    report = _report(SYSTEM, make_case().region, local(2026, 1, 5, 10, 0))
    login(client, people["investigator"])
    page = client.get(reverse("registry:report_detail", args=[report.pk])).content.decode()
    assert 'name="decision"' not in page and "data-confirm" not in page


# --- The printed card --------------------------------------------------------------------------


def _streams(pdf: bytes) -> list[bytes]:
    """Every compressed stream of the PDF, inflated."""
    streams = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            streams.append(zlib.decompress(pdf[match.end() : pdf.find(b"endstream", match.end())]))
        except zlib.error:
            continue
    return streams


def pdf_text(pdf: bytes) -> str:
    """The text of a WeasyPrint PDF without poppler: each run shown (``[…] TJ``) read through
    the fonts' ToUnicode maps. WeasyPrint keeps each font's glyph numbers, which DejaVu Sans
    regular and bold share; a number that two maps read differently fails the test rather
    than guess."""
    streams = _streams(pdf)
    letters: dict[str, str] = {}
    clashes: set[str] = set()
    for data in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
            for code, char in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                text = bytes.fromhex(char.decode()).decode("utf-16-be")
                if letters.setdefault(code.decode().lower(), text) != text:
                    clashes.add(code.decode().lower())
    runs = []
    for data in streams:
        for shown in re.findall(rb"\[(.*?)\]\s*TJ", data, re.S):
            glyphs = "".join(h.decode().lower() for h in re.findall(rb"<([0-9a-fA-F]+)>", shown))
            codes = [glyphs[i : i + 4] for i in range(0, len(glyphs), 4)]
            assert not clashes & set(codes), "a glyph number means two letters in this PDF"
            runs.append("".join(letters.get(code, "\ufffd") for code in codes))
    return "\n".join(runs)


def test_the_card_is_a_pdf_of_the_case_with_its_story_and_no_party_key(
    client, login, story, people
):
    case, report = story
    login(client, people["investigator"])
    client.cookies["django_language"] = "kk"
    response = client.get(reverse("registry:case_card", args=[case.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    # The font with every Kazakh letter (DejaVu Sans), embedded: regular and bold.
    objects = b"".join(_streams(pdf))
    assert b"+Qorgau-Sans-Bold" in objects and b"+Qorgau-Sans" in objects
    assert b"/FontFile2" in objects
    text = pdf_text(pdf)
    assert case.number in text and "investigator_shymkent" in text and "registrar_shymkent" in text
    with translation.override("kk"):
        assert case.region.name in text and "қ" in case.region.name  # Kazakh letters kept
    assert "21.03.2026 04:30" not in text and "20.03.2026 23:30" in text  # Kazakhstan time
    # The same pseudonymous data as the page: no summary, no instruction, no record key.
    assert report.summary not in text and "Question the witnesses" not in text
    for party in case.parties.all():
        assert f"party={party.pk}" not in text
    entry = AuditEntry.objects.filter(action="case.card.print").latest("pk")
    assert (entry.username, entry.object_id) == ("investigator_shymkent", str(case.pk))
    assert entry.details == {"format": "pdf"}


def test_the_card_holds_the_pages_facts_and_story_but_no_party_key(story, people):
    from qorgau.registry import card, casepage

    case, _report = story
    with translation.override("en"):
        html = card.to_html(case, timeline.story(case), casepage.facts(case),
                            printed_by="investigator_shymkent", printed_at=local(2026, 4, 1, 23, 30))  # fmt: skip
    assert case.number in html
    assert "Printed on 01.04.2026 23:30 (Kazakhstan time) by investigator_shymkent" in html
    assert "Case requalified" in html and "registrar_shymkent" in html
    assert "victim" in html and "18–24" in html
    # No record keys, no link: a party is its pseudonymous attributes, nothing else.
    for party in case.parties.all():
        assert f"party={party.pk}" not in html
    assert "href=" not in html


def test_another_regions_case_card_is_404_and_recorded(client, login, make_case, people):
    other = make_case(region="KZ-71")
    login(client, people["investigator"])
    response = client.get(reverse("registry:case_card", args=[other.number]))
    assert response.status_code == 404
    denied = AuditEntry.objects.filter(action="access.denied").latest("pk")
    assert denied.details["status"] == 404 and denied.details["ref"] == {"number": other.number}
    assert not AuditEntry.objects.filter(action="case.card.print").exists()


def test_an_analyst_may_not_print_a_card(client, login, make_case):
    case = make_case()
    login(client, make_user("analyst_national", "analyst"))
    assert client.get(reverse("registry:case_card", args=[case.number])).status_code == 403


def test_a_case_joined_to_this_one_is_in_its_story_for_those_who_may_open_it(
    client, login, make_case, people
):
    target = make_case()
    joined = make_case()
    elsewhere = make_case(region="KZ-71")
    lifecycle.transition(SYSTEM, joined, CaseStatus.JOINED, joined_to=target)
    lifecycle.transition(SYSTEM, elsewhere, CaseStatus.JOINED, joined_to=target)
    with translation.override("en"):
        titles = [e.title for e in timeline.story(target, people["investigator"])]
        national = [e.title for e in timeline.story(target)]
    assert f"Case {joined.number} joined to this case" in titles
    assert f"Case {elsewhere.number} joined to this case" not in titles  # another region's
    assert f"Case {elsewhere.number} joined to this case" in national
    login(client, people["investigator"])
    page = client.get(reverse("registry:case_detail", args=[target.number])).content.decode()
    assert reverse("registry:case_detail", args=[joined.number]) in page
    assert elsewhere.number not in page


def test_the_term_shows_the_days_left_then_how_long_it_is_overdue(
    client, login, make_case, people, time_machine
):
    case = make_case(article="115-1", registered_at=local(2026, 1, 10, 10, 0))  # ends 10.02.2026
    login(client, people["investigator"])
    client.cookies["django_language"] = "en"
    url = reverse("registry:case_detail", args=[case.number])
    time_machine.move_to(local(2026, 2, 7, 23, 30), tick=False)  # the 7th in Kazakhstan
    assert "(3 days left)" in client.get(url).content.decode()
    time_machine.move_to(local(2026, 2, 15, 9, 0), tick=False)
    page = client.get(url).content.decode()
    assert "govuk-tag--red" in page and "overdue by 5 days" in page
    lifecycle.transition(SYSTEM, case, CaseStatus.SENT_TO_COURT, reason="indictment")
    assert "overdue" not in client.get(url).content.decode()  # the term no longer runs
