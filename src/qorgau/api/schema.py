"""OpenAPI links in the API's document: where one operation's answer names what another
operation takes, the answer's description says so (OpenAPI 3.1 Link Objects), so that a client,
a reader of /api/v1/docs/ and schemathesis' stateful run (api/tests/test_schemathesis_stateful.py)
can follow it: a registered case to its page and its changes, a list to its records' pages, an
activity to its progress report. Added by a drf-spectacular postprocessing hook
(``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``)."""

from typing import Any, NamedTuple

CASE_NUMBER = "$response.body#/number"
CASE_ETAG = "$response.header.ETag"


class Link(NamedTuple):
    """A link: the operation it leads to, its parameters (name: runtime expression), an optional
    request body of expressions, and what it means."""

    operation_id: str
    parameters: dict[str, str]
    description: str
    request_body: dict[str, str] | None = None


def _case_links() -> dict[str, Link]:
    """From an answer that is a case (``CaseDetail``, with its ETag): its page, a status change
    (to the first status ``allowed_next`` names) and a requalification, each conditional on the
    ETag just received."""
    return {
        "CaseDetail": Link(
            "cases_retrieve", {"number": CASE_NUMBER}, "The case, by the number in this answer."
        ),
        "CaseTransition": Link(
            "cases_transitions_create",
            {"number": CASE_NUMBER, "If-Match": CASE_ETAG},
            "A status change of the case, to a status allowed next, if it is still as read "
            "(If-Match: this answer's ETag).",
            request_body={"to_status": "$response.body#/allowed_next/0"},
        ),
        "CaseRequalification": Link(
            "cases_requalifications_create",
            {"number": CASE_NUMBER, "If-Match": CASE_ETAG},
            "A requalification of the case, if it is still as read (If-Match: this answer's ETag).",
        ),
    }


# (operation id, status code): the links of that answer.
LINKS: dict[tuple[str, str], dict[str, Link]] = {
    ("cases_create", "201"): _case_links(),
    ("cases_retrieve", "200"): {
        name: link for name, link in _case_links().items() if name != "CaseDetail"
    },
    ("cases_transitions_create", "201"): _case_links(),
    ("cases_requalifications_create", "201"): _case_links(),
    ("cases_list", "200"): {
        "CaseDetail": Link(
            "cases_retrieve",
            {"number": "$response.body#/results/0/number"},
            "The first case of the page.",
        ),
    },
    ("reports_list", "200"): {
        "ReportDetail": Link(
            "reports_retrieve",
            {"id": "$response.body#/results/0/id"},
            "The first report of the page.",
        ),
    },
    ("releases_list", "200"): {
        "ReleaseDetail": Link(
            "releases_retrieve",
            {"number": "$response.body#/0/number"},
            "The newest release.",
        ),
    },
    ("activities_list", "200"): {
        "ActivityProgress": Link(
            "campaigns_activities_progress_create",
            {"id": "$response.body#/results/0/id"},
            "Progress reported for the first activity of the page.",
        ),
    },
    ("campaigns_activities_progress_create", "201"): {
        "ActivityProgress": Link(
            "campaigns_activities_progress_create",
            {"id": "$response.body#/id"},
            "Further progress of the same activity.",
        ),
    },
}


def add_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: put ``LINKS`` into the answers they belong to. A link
    whose source or target operation is not in the document (a view removed or renamed) fails
    loudly here rather than leaving a link to nowhere."""
    operations = {
        op["operationId"]: op
        for methods in result.get("paths", {}).values()
        for op in methods.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for (source, status), links in LINKS.items():
        response = operations[source]["responses"][status]
        response_links = response.setdefault("links", {})
        for name, link in links.items():
            if link.operation_id not in operations:
                raise KeyError(f"OpenAPI link {source} {status} {name}: no {link.operation_id}")
            definition: dict[str, Any] = {
                "operationId": link.operation_id,
                "parameters": dict(link.parameters),
                "description": link.description,
            }
            if link.request_body is not None:
                definition["requestBody"] = dict(link.request_body)
            response_links[name] = definition
    return result
