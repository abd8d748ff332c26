"""The request letter of ``pfdw foi pack``: one text, written as Markdown and as print-ready HTML.

The letter is built once as blocks of plain text (headings, paragraphs, quotations from the
Freedom of Information Act 2000, lists, the table of reports) and each renderer escapes every
piece of text it writes: HTML with ``html.escape``, Markdown with backslashes, so a scraped name
or area can never become markup. The HTML has its stylesheet inline (A4 print rules) and a
Content-Security-Policy that forbids loading anything: it opens and prints offline.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path

S1 = (
    "Any person making a request for information to a public authority is entitled— (a) to be"
    " informed in writing by the public authority whether it holds information of the"
    " description specified in the request, and (b) if that is the case, to have that"
    " information communicated to him."
)
S10 = (
    "Subject to subsections (2) and (3), a public authority must comply with section 1(1)"
    " promptly and in any event not later than the twentieth working day following the date"
    " of receipt."
)
S21 = (
    "Information which is reasonably accessible to the applicant otherwise than under section 1"
    " is exempt information."
)
ACT = "Freedom of Information Act 2000"
WORKING_DAYS = (
    "working days exclude Saturdays, Sundays, Christmas Day, Good Friday and bank holidays in"
    " any part of the United Kingdom (section 10(6))"
)
SAFE_LINK = re.compile(r"https?://[^\s<>\"'`\\]+")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~!&#])")


@dataclass(frozen=True)
class Block:
    kind: str  # title | fields | h | p | quote | ol | ul | table
    text: str = ""
    items: tuple = ()
    cite: str = ""


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def one_line(value) -> str:
    """A value as one line of text: blank for None, every run of white space one space."""
    return " ".join(str(value).split()) if value is not None else ""


def markdown_text(value) -> str:
    """Plain text for Markdown: every character that could start markup backslash-escaped."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", one_line(value))


def _names(pack) -> str:
    if not pack.former_names:
        return pack.name
    return f"{pack.name} or a body whose work it now does ({'; '.join(pack.former_names)})"


def letter_blocks(pack, options, due: dt.date | None, spreadsheet: str) -> list[Block]:
    """The letter to one organisation, as blocks of plain text."""
    name, count = pack.name, len(pack.lines)
    since, until = long_date(pack.period_start), long_date(pack.period_end)
    listed = (
        f"The enclosed spreadsheet ({spreadsheet}.xlsx, the same list as {spreadsheet}.csv) lists"
        f" the {count} report{'s' if count != 1 else ''} published on the Courts and Tribunals"
        f" Judiciary website (judiciary.uk) in that period that name {_names(pack)} as a"
        " recipient. Please tell me, from its own records:"
        if count
        else f"The Courts and Tribunals Judiciary website (judiciary.uk) publishes no report to"
        f" {name} dated in that period; the enclosed spreadsheet ({spreadsheet}.xlsx or .csv)"
        " has room for your answer. Please tell me, from its own records:"
    )
    questions = (
        (
            'which of the listed reports it received (answer "received");',
            'which of the listed reports it cannot locate in its records (answer "not located");',
            "which of the listed reports it holds only as a copy sent to it for information"
            ' (answer "received as copy");',
        )
        if count
        else ()
    ) + (
        "every other report to prevent future deaths that it received in the period"
        f"{' and that is not on the list' if count else ''}: its reference, date and coroner"
        ' area (sheet "not_on_the_list", or a list of your own).',
    )
    if due is not None:
        timing = (
            f"If this request reaches you on {long_date(options.sent_on)}, the twentieth working"
            f" day following the date of receipt is {long_date(due)}: {WORKING_DAYS}."
        )
    else:
        timing = (
            f"In counting the twentieth working day following the date of receipt, {WORKING_DAYS}."
        )
    blocks = [
        Block(
            "title",
            f"Freedom of Information request: reports to prevent future deaths received by {name}",
        ),
        Block(
            "fields",
            items=(
                ("To", f"The Freedom of Information officer, {name}"),
                ("Our reference", pack.request_reference),
                ("Date", long_date(options.sent_on) if options.sent_on else "[date sent]"),
                ("Period asked about", f"{since} to {until}"),
            ),
        ),
        Block("p", "Dear Freedom of Information officer,"),
        Block(
            "p",
            f"I am making a request for information under the {ACT}. Please quote the reference"
            f" {pack.request_reference} in your reply.",
        ),
        Block("h", "The right of access"),
        Block("quote", S1, cite=f"{ACT}, section 1(1)"),
        Block("h", "What I am asking for"),
        Block(
            "p",
            "When a coroner's investigation shows a risk of future deaths, the coroner must report"
            " it to the person or organisation with power to act, which must reply within 56 days"
            " (Coroners and Justice Act 2009, Schedule 5, paragraph 7; Coroners (Investigations)"
            f" Regulations 2013, regulations 28 and 29). I would like to know which of these"
            f" reports {name} received between {since} and {until}.",
        ),
        Block("p", listed),
        Block("ol", items=questions),
        Block(
            "p",
            f"By records I mean whatever {name} keeps of the reports it receives: a register or"
            " log, governance or board papers, the files of its legal or patient-safety team, or"
            " the reports themselves. I do not ask for the content of any report, nor for"
            " anyone's personal data: the reference and the date identify each report, and you"
            " may leave names out.",
        ),
        Block(
            "p",
            "I would like the answer in the enclosed spreadsheet, one answer on each line"
            " (section 11(1)(a)), or, if that is easier, as your own list giving the reference or"
            " the date of each report you hold.",
        ),
        Block("h", "Why section 21 does not apply"),
        Block("quote", S21, cite=f"{ACT}, section 21(1)"),
        Block(
            "p",
            f"This request is not for the published reports. It is for {name}'s own record of"
            " which reports it received, and that record is not reasonably accessible to me by"
            " any other means:",
        ),
        Block(
            "ul",
            items=(
                f"judiciary.uk holds what was sent to it for publication, not what {name} received."
                " The two differ: reports sent to organisations are missing from the site, and"
                " organisations asked before could not locate published reports addressed to them.",
                f"Whether {name} received a listed report, and which reports it received that are"
                " not listed, can be answered only from its own records: no published source holds"
                " that information.",
                "The list is enclosed to make answering easier. Marking it against your records is"
                " the information requested, not a copy of what is published.",
            ),
        ),
        Block(
            "p",
            "If answering would exceed the cost limit (section 12), please tell me how to narrow"
            " the request, for example to a shorter period (section 16, advice and assistance). If"
            " you withhold any part, please answer the rest and state the exemption and why it"
            " applies (section 17).",
        ),
        Block("h", "When the answer is due"),
        Block("quote", S10, cite=f"{ACT}, section 10(1)"),
        Block("p", timing),
        Block("p", "Yours faithfully,"),
        Block("p", "[Your name]"),
        Block("p", "[Address for correspondence]"),
    ]
    if count:
        header = ("ref", "date of report", "coroner area", "link")
        if options.with_names:
            header += ("deceased",)
        rows = tuple(
            (line.ref, line.date_of_report, line.coroner_area, line.link)
            + ((line.deceased_name,) if options.with_names else ())
            for line in pack.lines
        )
        blocks += [Block("h", f"Reports listed ({count})"), Block("table", items=(header, rows))]
    return blocks


def to_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if block.kind == "title":
            out += [f"# {markdown_text(block.text)}", ""]
        elif block.kind == "fields":
            out += [f"- **{label}:** {markdown_text(value)}" for label, value in block.items]
            out.append("")
        elif block.kind == "h":
            out += [f"## {markdown_text(block.text)}", ""]
        elif block.kind == "p":
            out += [markdown_text(block.text), ""]
        elif block.kind == "quote":
            out += [f"> {markdown_text(block.text)}", ">", f"> {markdown_text(block.cite)}", ""]
        elif block.kind in ("ol", "ul"):
            for number, item in enumerate(block.items, start=1):
                marker = f"{number}." if block.kind == "ol" else "-"
                out.append(f"{marker} {markdown_text(item)}")
            out.append("")
        elif block.kind == "table":
            header, rows = block.items
            out.append("| " + " | ".join(header) + " |")
            out.append("|" + "---|" * len(header))
            for row in rows:
                cells = [_markdown_cell(value) for value in row]
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
    return "\n".join(out)


def _markdown_cell(value) -> str:
    text = one_line(value.isoformat() if isinstance(value, dt.date) else value)
    if SAFE_LINK.fullmatch(text):
        return f"<{text}>"
    return markdown_text(text)


def _html_cell(value) -> str:
    text = one_line(value.isoformat() if isinstance(value, dt.date) else value)
    if SAFE_LINK.fullmatch(text):
        return f'<a href="{html.escape(text)}">{html.escape(text)}</a>'
    return html.escape(text)


STYLE = """
body { font-family: Georgia, "Times New Roman", serif; font-size: 11.5pt; line-height: 1.45;
  color: #111; max-width: 44em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 15pt; margin: 0 0 1em; }
h2 { font-size: 12.5pt; margin: 1.4em 0 0.4em; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1em; }
dl.fields dt { font-weight: bold; } dl.fields dd { margin: 0; }
blockquote { margin: 0.6em 0 0.6em 1.2em; padding-left: 0.8em; border-left: 3px solid #999; }
blockquote cite { display: block; font-size: 10pt; color: #444; margin-top: 0.3em; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.4em; text-align: left; vertical-align: top; }
td a { word-break: break-all; color: inherit; }
@page { size: A4; margin: 2cm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  h2.appendix { break-before: page; }
  tr, blockquote { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def to_html(blocks: list[Block]) -> str:
    title = next((block.text for block in blocks if block.kind == "title"), "Letter")
    body: list[str] = []
    for block in blocks:
        if block.kind == "title":
            body.append(f"<h1>{html.escape(block.text)}</h1>")
        elif block.kind == "fields":
            body.append('<dl class="fields">')
            body += [
                f"<dt>{html.escape(label)}</dt><dd>{html.escape(one_line(value))}</dd>"
                for label, value in block.items
            ]
            body.append("</dl>")
        elif block.kind == "h":
            body.append(f"<h2>{html.escape(block.text)}</h2>")
        elif block.kind == "p":
            body.append(f"<p>{html.escape(one_line(block.text))}</p>")
        elif block.kind == "quote":
            body.append(
                f"<blockquote><p>{html.escape(block.text)}</p>"
                f"<cite>{html.escape(block.cite)}</cite></blockquote>"
            )
        elif block.kind in ("ol", "ul"):
            body.append(f"<{block.kind}>")
            body += [f"<li>{html.escape(one_line(item))}</li>" for item in block.items]
            body.append(f"</{block.kind}>")
        elif block.kind == "table":
            header, rows = block.items
            if body and body[-1].startswith("<h2>"):
                body[-1] = body[-1].replace("<h2>", '<h2 class="appendix">', 1)
            body.append("<table><thead><tr>")
            body += [f"<th>{html.escape(cell)}</th>" for cell in header]
            body.append("</tr></thead><tbody>")
            for row in rows:
                body.append("<tr>" + "".join(f"<td>{_html_cell(v)}</td>" for v in row) + "</tr>")
            body.append("</tbody></table>")
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';'
        " style-src 'unsafe-inline'\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def write_letters(pack, stem: Path, options, due: dt.date | None) -> tuple[Path, Path]:
    """The letter as ``<stem>.md`` and ``<stem>.html``; returns both paths."""
    spreadsheet = pack.files["spreadsheet_xlsx"].stem if "spreadsheet_xlsx" in pack.files else ""
    blocks = letter_blocks(pack, options, due, spreadsheet)
    markdown_path = stem.with_name(stem.name + ".md")
    html_path = stem.with_name(stem.name + ".html")
    markdown_path.write_text(to_markdown(blocks), encoding="utf-8")
    html_path.write_text(to_html(blocks), encoding="utf-8")
    return markdown_path, html_path
