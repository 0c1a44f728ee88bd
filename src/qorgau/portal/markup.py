"""The tiny text format of public pages: blank line = new paragraph, "## " = heading,
"- " = list item. Everything is escaped: editors cannot inject markup or scripts."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def render(text: str) -> SafeString:
    html: list[str] = []
    items: list[str] = []

    def flush():
        if items:
            html.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for block in text.replace("\r\n", "\n").split("\n\n"):
        for line in block.split("\n"):
            line = line.strip()
            if line.startswith("- "):
                items.append(line[2:])
                continue
            flush()
            if line.startswith("## "):
                html.append(f"<h2>{escape(line[3:])}</h2>")
            elif line:
                html.append(f"<p>{escape(line)}</p>")
        flush()
    return mark_safe("".join(html))  # noqa: S308 - every piece above is escaped
