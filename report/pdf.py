"""The one-page PDF executive summary (reportlab): headline, inputs, waterfall, curve, every track, rules.

Every string that came from a link or a data file goes into a Paragraph through `text()` (reportlab
reads Paragraph text as markup: `<a href>`, `<img>`, `<font>`), or into a table cell or a drawing,
which reportlab draws as characters.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from report import charts
from report.summary import ExecutiveSummary, clean, money_full
from ui.formatting import money

WIDTH = letter[0] - 2 * 36
INK, MUTED = charts.INK, charts.MUTED
BAND = colors.HexColor("#1f3a5f")
LIGHT = colors.HexColor("#f2f5f9")


def text(value: object) -> str:
    """A string as Paragraph text that shows exactly its characters (no markup, no entities)."""
    return escape(clean(value), {'"': "&quot;"})


def _style(name: str, size: float, *, bold: bool = False, color: colors.Color = INK,
           leading: float | None = None, align: int = 0) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=charts.BOLD if bold else charts.FONT, fontSize=size,
                          leading=leading or size * 1.22, textColor=color, alignment=align)


TITLE = _style("title", 16, bold=True, color=colors.white)
SUBTITLE = _style("subtitle", 9.5, color=colors.white)
LABEL = _style("label", 7.5, color=MUTED)
BIG = _style("big", 26, bold=True, leading=30)
MID = _style("mid", 15, bold=True, leading=19)
SMALL = _style("small", 7.5, leading=9.3)
TINY = _style("tiny", 6.6, leading=8.2, color=MUTED)
WARN = _style("warn", 7.5, leading=9.3, color=colors.HexColor("#8a4b00"))


def _header(s: ExecutiveSummary) -> Table:
    scenario = s.scenario
    title = f"Executive summary: {s.subject}"
    sub = (f"PY{s.year} what-if, settled under 42 CFR part 425 | "
           f"{charts.TRACKS[scenario.track].label} | {'synthetic demo data' if s.synthetic else 'CMS data'}")
    table = Table([[Paragraph(text(title), TITLE)], [Paragraph(text(sub), SUBTITLE)]], colWidths=[WIDTH])
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), BAND), ("LEFTPADDING", (0, 0), (-1, -1), 10),
                               ("TOPPADDING", (0, 0), (0, 0), 8), ("BOTTOMPADDING", (0, -1), (-1, -1), 8)]))
    return table


def _headline(s: ExecutiveSummary) -> Table:
    r = s.result
    color = charts.PAY if r.earned > 0 else charts.OWE if r.earned < 0 else INK
    big = ParagraphStyle("big_c", parent=BIG, textColor=color)
    if s.cms_earned is None:  # a template: what happened instead of CMS's figure
        second = ("Outcome", r.outcome, "a template: no CMS figure")
        third = ("Benchmark", money(r.inputs.benchmark), f"expenditure {money_full(r.inputs.expenditure)}")
    else:
        second = ("CMS settled", money(s.cms_earned), money_full(s.cms_earned))
        third = ("Difference", "none" if abs(s.difference or 0.0) < 1 else money(s.difference, signed=True),
                 s.difference_text())
    cells = [[Paragraph(text(s.headline), LABEL), Paragraph(text(second[0]), LABEL),
              Paragraph(text(third[0]), LABEL), Paragraph("Savings rate / MSR", LABEL)],
             [Paragraph(text(money(r.earned)), big), Paragraph(text(second[1]), MID),
              Paragraph(text(third[1]), MID),
              Paragraph(text(f"{r.savings_rate:.2%} / {r.minimum_savings_rate:.2%}"), MID)],
             [Paragraph(text(money_full(r.earned)), SMALL), Paragraph(text(second[2]), SMALL),
              Paragraph(text(third[2]), SMALL),
              Paragraph(text(f"final sharing rate {r.final_sharing_rate:.2%}"
                             + ("" if r.final_loss_rate is None else f", loss rate {r.final_loss_rate:.2%}")),
                        SMALL)]]
    table = Table(cells, colWidths=[WIDTH * 0.31, WIDTH * 0.23, WIDTH * 0.23, WIDTH * 0.23])
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), LIGHT),
                               ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("LINEAFTER", (0, 0), (-2, -1), 0.5, colors.white),
                               ("TOPPADDING", (0, 0), (-1, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 6)]))
    return table


def _inputs(s: ExecutiveSummary) -> Table:
    head = ["Input", "This scenario", "As CMS settled" if s.cms_earned is not None else "Template"]
    rows = [head] + [[Paragraph(text(a), SMALL), Paragraph(text(b), SMALL), Paragraph(text(c), SMALL)]
                     for a, b, c in s.inputs]
    table = Table(rows, colWidths=[78, 84, 84])
    style = [("FONT", (0, 0), (-1, 0), charts.BOLD, 7.5), ("LINEBELOW", (0, 0), (-1, 0), 0.6, INK),
             ("LINEBELOW", (0, 1), (-1, -1), 0.25, charts.GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
             ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    for i, (_, b, c) in enumerate(s.inputs, start=1):
        if b != c:  # what the scenario changed, at a glance
            style.append(("BACKGROUND", (1, i), (1, i), colors.HexColor("#fff4d6")))
    table.setStyle(TableStyle(style))
    return table


def _side_by_side(left: object, right: object, left_width: float) -> Table:
    table = Table([[left, right]], colWidths=[left_width, WIDTH - left_width])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))
    return table


def _footer(s: ExecutiveSummary):
    def draw(canvas, doc) -> None:  # noqa: ANN001 - reportlab's page callback
        canvas.saveState()
        canvas.setFont(charts.FONT, 6.5)
        canvas.setFillColor(MUTED)
        source = "Synthetic demo data, not CMS results" if s.synthetic else (
            "Data: CMS MSSP Performance Year Financial and Quality Results")
        canvas.drawString(36, 24, f"{source}. Settled by ACO Lens (aco_model) under 42 CFR part 425.")
        canvas.drawRightString(letter[0] - 36, 24, f"Generated {s.generated:%Y-%m-%d %H:%M} UTC")
        canvas.restoreState()
    return draw


def render_pdf(s: ExecutiveSummary) -> bytes:
    """The executive summary as a one-page US Letter PDF."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=letter, leftMargin=36, rightMargin=36, topMargin=30,
                            bottomMargin=36, title=f"Executive summary: {s.subject}, PY{s.year}",
                            author="ACO Lens", subject="What-if settlement")
    story: list[object] = [_header(s), Spacer(1, 6), _headline(s)]
    if s.warnings:
        story += [Spacer(1, 4), Paragraph(text("Link values not used: " + " ".join(s.warnings)), WARN)]
    story += [Spacer(1, 8), _side_by_side(_inputs(s), charts.waterfall(s.waterfall, WIDTH - 256, 215), 256),
              Spacer(1, 6),
              _side_by_side(charts.payment_curve(s.curve, s.result, WIDTH * 0.56, 215),
                            charts.tracks(s.tracks, s.scenario.track, WIDTH * 0.44 - 4, 215), WIDTH * 0.56),
              Spacer(1, 6)]
    notes = [Paragraph(f"<b>Quality.</b> {text(s.quality_note)}", SMALL),
             Paragraph("<b>Rules applied.</b> " + text("; ".join(s.rules)) + ".", SMALL),
             Paragraph(f"<b>Data.</b> {text(s.data_source)} {text(s.fidelity)}", SMALL),
             Paragraph(f"<b>Share link</b> (opens this scenario in ACO Lens): {text(s.link)}", SMALL)]
    story.append(KeepInFrame(WIDTH, 150, notes, mode="shrink"))
    doc.build(story, onFirstPage=_footer(s), onLaterPages=_footer(s))
    return buffer.getvalue()
