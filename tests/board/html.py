"""Getting the pages and reading the day view's chart and tables back out of their HTML."""

import re

ROW = re.compile(r'<div class="gantt-row[^"]*" data-row="([^"]+)">')
BAR = re.compile(r'<div class="bar bar--(\w+)([^"]*)" title="[^"]*" data-start="([\d:]+)" '
                 r'data-end="([\d:]+)">(?:<span>([^<]*)</span>)?</div>')


def chart_rows(html: str) -> dict[str, list[tuple[str, str, str, str]]]:
    """Row key -> its bars as (kind, start, end, label), in page order."""
    starts = list(ROW.finditer(html))
    rows = {}
    for match, following in zip(starts, starts[1:] + [None]):
        chunk = html[match.end():following.start() if following else len(html)]
        rows[match.group(1)] = [(kind, start, end, label or "") for kind, _, start, end, label in BAR.findall(chunk)]
    return rows


def text_of(fragment: str) -> str:
    """The text of an HTML fragment, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def table_row(html: str, visit_code: str, *, section: str = "") -> str:
    """The text of the first <tr data-visit="…"> after `section` (an id or a class in the page)."""
    offset = html.index(section) if section else 0
    match = re.search(rf'<tr data-visit="{re.escape(visit_code)}"[^>]*>(.*?)</tr>', html[offset:], re.S)
    return text_of(match.group(1)) if match else ""


def page(client, user, url: str, **headers) -> str:
    """The HTML of `url` as `user`, which must be a 200."""
    client.force_login(user)
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response.content.decode()
