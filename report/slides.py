"""The executive summary as five 16:9 slides (python-pptx), its charts native PowerPoint charts.

1. the headline: the payment or bill, CMS's figure and the difference, the inputs;
2. the settlement waterfall (a stacked column chart with an invisible base);
3. the payment curve with its corridor and limits (an XY chart);
4. every track side by side (a bar chart and a table);
5. quality, the rules applied, the data, the model's fidelity and the share link.
Text goes into runs, which PowerPoint shows as characters (python-pptx escapes XML).
"""

from __future__ import annotations

from io import BytesIO

import numpy as np
from pptx import Presentation
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
)
from pptx.util import Emu, Inches, Pt

from aco_model.rules import TRACKS
from report.summary import ExecutiveSummary, clean, money_full
from ui.formatting import money, pct

PAY, OWE, NEUTRAL = RGBColor(0x2E, 0x7D, 0x32), RGBColor(0xC6, 0x28, 0x28), RGBColor(0x1F, 0x5A, 0xA6)
INK, MUTED, BAND = RGBColor(0x22, 0x22, 0x22), RGBColor(0x55, 0x55, 0x55), RGBColor(0x1F, 0x3A, 0x5F)
GREY = RGBColor(0x99, 0x99, 0x99)
MONEY_AXIS = '$#,##0.0,,"M";-$#,##0.0,,"M";$0'


def _text(slide, left: float, top: float, width: float, height: float, lines: list[tuple[str, float, bool]],
          color: RGBColor = INK) -> None:
    """A text box of (text, size in points, bold) paragraphs, positions in inches."""
    frame = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame
    frame.word_wrap = True
    for i, (value, size, bold) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = clean(value)
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, color


def _slide(deck: Presentation, s: ExecutiveSummary, title: str):
    slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    slide.shapes.title.text = clean(title)
    heading = slide.shapes.title.text_frame.paragraphs[0]
    heading.runs[0].font.size, heading.runs[0].font.bold = Pt(26), True
    heading.runs[0].font.color.rgb = BAND
    slide.shapes.title.left, slide.shapes.title.top = Inches(0.5), Inches(0.25)
    slide.shapes.title.width, slide.shapes.title.height = Inches(12.3), Inches(0.9)
    source = ("Synthetic demo data, not CMS results" if s.synthetic
              else "Data: CMS MSSP Performance Year results")
    footer = (f"{s.subject}, PY{s.year} | {source} | settled by ACO Lens under 42 CFR part 425 | "
              f"generated {s.generated:%Y-%m-%d %H:%M} UTC")
    _text(slide, 0.5, 7.0, 12.3, 0.35, [(footer, 9, False)], MUTED)
    return slide


def _headline(deck: Presentation, s: ExecutiveSummary) -> None:
    slide = _slide(deck, s, f"{s.subject}: PY{s.year} what-if")
    r = s.result
    _text(slide, 0.5, 1.2, 4.2, 0.4, [(s.headline, 16, False)], MUTED)
    _text(slide, 0.5, 1.55, 4.2, 1.0, [(money(r.earned), 54, True)],
          PAY if r.earned > 0 else OWE if r.earned < 0 else INK)
    _text(slide, 0.5, 2.55, 4.2, 0.4, [(money_full(r.earned), 16, False)])
    cms = "template: no CMS figure" if s.cms_earned is None else f"CMS settled {money(s.cms_earned)}"
    rates = f"Savings rate {pct(r.savings_rate)}, MSR {pct(r.minimum_savings_rate)}"
    _text(slide, 0.5, 3.2, 4.2, 1.6, [(cms, 20, True), (s.difference_text(), 14, False), (rates, 14, False),
                                      (f"Final sharing rate {pct(r.final_sharing_rate)}", 14, False)])
    if s.warnings:
        _text(slide, 0.5, 4.9, 4.2, 1.9, [("Link values not used: " + " ".join(s.warnings), 10, False)],
              RGBColor(0x8A, 0x4B, 0x00))
    elif s.quality_note:
        _text(slide, 0.5, 4.9, 4.2, 1.9, [(s.quality_note, 10, False)], MUTED)
    head = ("Input", "This scenario", "As CMS settled" if s.cms_earned is not None else "Template")
    rows = [head, *s.inputs]
    table = slide.shapes.add_table(len(rows), 3, Inches(5.2), Inches(1.3), Inches(7.6),
                                   Inches(0.42 * len(rows))).table
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = clean(value)
            font = cell.text_frame.paragraphs[0].runs[0].font
            font.size, font.bold = Pt(14), i == 0
            if i and j == 1 and row[1] != row[2]:  # what the scenario changed, at a glance
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor(0xFF, 0xF4, 0xD6)
                font.color.rgb = INK
    table.columns[0].width = Inches(2.6)
    if any(b != c for _, b, c in s.inputs):
        _text(slide, 5.2, 1.4 + 0.42 * len(rows), 7.6, 0.4,
              [("Highlighted: what this scenario changed.", 11, False)], MUTED)


def _waterfall(deck: Presentation, s: ExecutiveSummary) -> None:
    slide = _slide(deck, s, "From gross savings to the settlement")
    steps = s.waterfall
    levels = np.cumsum([a for _, a, _ in steps[:-1]]).tolist()
    base, bars = [], []
    for i, (_, amount, _) in enumerate(steps):
        if i == 0 or i == len(steps) - 1:
            base.append(0.0)
            bars.append(amount)
        else:  # levels on one side of zero (savings >= 0, losses <= 0): the base is the one nearer zero
            before, after = levels[i - 1], levels[i]
            savings_side = before >= 0 and after >= 0
            base.append(min(before, after) if savings_side else max(before, after))
            bars.append(abs(after - before) if savings_side else -abs(after - before))
    data = CategoryChartData()
    data.categories = [clean(label) for label, _, _ in steps]
    data.add_series("base", base)
    data.add_series("amount", bars)
    chart = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_STACKED, Inches(0.6), Inches(1.2), Inches(12.1),
                                   Inches(5.1), data).chart
    chart.has_legend = False
    chart.has_title = False
    chart.value_axis.tick_labels.number_format = MONEY_AXIS
    chart.value_axis.tick_labels.number_format_is_linked = False
    chart.value_axis.tick_labels.font.size = Pt(12)
    chart.category_axis.tick_labels.font.size = Pt(12)
    chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # below the bars, losses too
    chart.plots[0].gap_width = 60
    hidden = chart.series[0]
    hidden.format.fill.background()
    hidden.format.line.fill.background()
    shown = chart.series[1]
    for i, (_, amount, _) in enumerate(steps):
        point = shown.points[i]
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = (NEUTRAL if i in (0, len(steps) - 1)
                                            else PAY if amount >= 0 else OWE)
        label = point.data_label
        label.has_text_frame = True
        label.text_frame.text = money(amount)
        label.position = XL_LABEL_POSITION.INSIDE_END
        label.font.size, label.font.bold = Pt(13), True
    rules = "; ".join(f"{clean(label)}: {rule.split(':')[0]}" for label, _, rule in steps)
    _text(slide, 0.6, 6.35, 12.1, 0.6, [(f"Rules: {rules}", 10, False)], MUTED)


def _curve(deck: Presentation, s: ExecutiveSummary) -> None:
    r = s.result
    slide = _slide(deck, s, f"Payment curve: {TRACKS[s.scenario.track].label}, PY{s.year}")
    curve = s.curve.iloc[::5]
    data = XyChartData()
    line = data.add_series("earned at each savings rate")
    for x, y in zip(curve["savings_rate"], curve["earned"], strict=True):
        line.add_data_point(float(x), float(y))
    lo, hi = float(curve["earned"].min()), float(curve["earned"].max())
    lo, hi = min(lo, -(r.loss_limit or 0.0), 0.0), max(hi, r.payment_limit)
    xmin, xmax = float(curve["savings_rate"].min()), float(curve["savings_rate"].max())
    extra = [("payment limit", [(xmin, r.payment_limit), (xmax, r.payment_limit)])]
    if r.loss_limit:
        extra.append(("loss limit", [(xmin, -r.loss_limit), (xmax, -r.loss_limit)]))
    mlr = r.minimum_loss_rate if r.minimum_loss_rate is not None else None
    extra.append(("corridor edge (MSR)", [(r.minimum_savings_rate, lo), (r.minimum_savings_rate, hi)]))
    if mlr is not None:
        extra.append(("corridor edge (MLR)", [(-mlr, lo), (-mlr, hi)]))
    for name, points in extra:
        series = data.add_series(name)
        for x, y in points:
            series.add_data_point(x, y)
    point = data.add_series(f"this scenario: {pct(r.savings_rate)} -> {money(r.earned)}")
    point.add_data_point(float(r.savings_rate), float(r.earned))
    chart = slide.shapes.add_chart(XL_CHART_TYPE.XY_SCATTER_LINES_NO_MARKERS, Inches(0.6), Inches(1.2),
                                   Inches(12.1), Inches(5.5), data).chart
    styles = [(NEUTRAL, 3.0, False), (PAY, 1.5, True)] + ([(OWE, 1.5, True)] if r.loss_limit else [])
    styles += [(GREY, 1.0, True)] * (2 if mlr is not None else 1)
    for series, (color, width, dashed) in zip(chart.series, styles, strict=False):
        series.format.line.color.rgb, series.format.line.width = color, Pt(width)
        if dashed:
            series.format.line.dash_style = 4  # MSO_LINE_DASH_STYLE.DASH
        series.smooth = False
    marker = chart.series[-1]
    marker.format.line.fill.background()
    marker.marker.style, marker.marker.size = XL_MARKER_STYLE.CIRCLE, 14
    marker.marker.format.fill.solid()
    marker.marker.format.fill.fore_color.rgb = PAY if r.earned >= 0 else OWE
    chart.has_legend = True
    chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
    chart.legend.font.size = Pt(12)
    chart.value_axis.tick_labels.number_format = MONEY_AXIS
    chart.value_axis.tick_labels.number_format_is_linked = False
    chart.value_axis.tick_labels.font.size = Pt(12)
    chart.category_axis.tick_labels.number_format = "0%"
    chart.category_axis.tick_labels.number_format_is_linked = False
    chart.category_axis.tick_labels.font.size = Pt(12)
    chart.category_axis.minimum_scale, chart.category_axis.maximum_scale = xmin, xmax
    chart.category_axis.major_unit = 0.05
    for axis in (chart.category_axis, chart.value_axis):  # labels at the edges, the axes through zero
        axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW


def _tracks(deck: Presentation, s: ExecutiveSummary) -> None:
    slide = _slide(deck, s, "The same scenario under every track")
    by_track = s.tracks.iloc[::-1]  # a bar chart draws its first category at the bottom
    data = CategoryChartData()
    data.categories = [label + ("" if offered else " (not offered)")
                       for label, offered in zip(by_track["label"], by_track["offered"], strict=True)]
    data.add_series("earned", [float(v) for v in by_track["earned"]])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Inches(0.5), Inches(1.2), Inches(6.4),
                                   Inches(5.6), data).chart
    chart.has_legend = False
    chart.has_title = False
    chart.category_axis.tick_labels.font.size = Pt(11)
    chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    chart.value_axis.tick_labels.number_format = MONEY_AXIS
    chart.value_axis.tick_labels.number_format_is_linked = False
    chart.value_axis.tick_labels.font.size = Pt(11)
    series = chart.series[0]
    for i, (track, earned) in enumerate(zip(by_track["track"], by_track["earned"], strict=True)):
        point = series.points[i]
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = PAY if earned >= 0 else OWE
        if track == s.scenario.track:
            point.format.line.color.rgb, point.format.line.width = INK, Pt(2.5)
        point.data_label.has_text_frame = True
        point.data_label.text_frame.text = money(earned)
        point.data_label.position = XL_LABEL_POSITION.OUTSIDE_END
        point.data_label.font.size = Pt(11)
    rows = [("Track", "Earned", "Sharing", "MSR")] + [
        (r.label + (" *" if r.track == s.scenario.track else ""), money(r.earned), pct(r.final_sharing_rate),
         pct(r.minimum_savings_rate)) for r in s.tracks.itertuples()]
    table = slide.shapes.add_table(len(rows), 4, Inches(7.2), Inches(1.3), Inches(5.6), Emu(0)).table
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = clean(value)
            font = cell.text_frame.paragraphs[0].runs[0].font
            font.size, font.bold = Pt(12), i == 0 or row[0].endswith(" *")
    table.columns[0].width = Inches(2.2)
    _text(slide, 7.2, 6.55, 5.6, 0.4, [("* the scenario's track", 10, False)], MUTED)


def _notes(deck: Presentation, s: ExecutiveSummary) -> None:
    slide = _slide(deck, s, "Quality, rules applied, data and the link")
    lines = [("Quality", 15, True), (s.quality_note, 12, False), ("Rules applied", 15, True)]
    lines += [(f"- {rule}", 12, False) for rule in s.rules]
    lines += [("Data and the model's fidelity", 15, True), (s.data_source, 12, False),
              (s.fidelity, 12, False),
              ("Share link (opens this scenario in ACO Lens)", 15, True), (s.link, 11, False)]
    if s.warnings:
        lines += [("Link values not used", 15, True)] + [(w, 11, False) for w in s.warnings]
    _text(slide, 0.6, 1.15, 12.1, 5.8, lines)


def render_pptx(s: ExecutiveSummary) -> bytes:
    """Five slides: headline and inputs, waterfall, payment curve, every track, notes and link."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    deck.core_properties.title = clean(f"Executive summary: {s.subject}, PY{s.year}")
    deck.core_properties.author = "ACO Lens"
    for make in (_headline, _waterfall, _curve, _tracks, _notes):
        make(deck, s)
    buffer = BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
