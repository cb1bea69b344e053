"""Executive summary (report/): the one-page PDF read back with poppler, the PPTX opened with python-pptx."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from pptx import Presentation

from aco_model.scenario import TEMPLATE, scenario_from_row
from report.__main__ import main
from report.summary import money_full
from tests.report.conftest import HOSTILE_ID, HOSTILE_NAME
from ui.formatting import money

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
A1026_LINK = "http://localhost:8501/what_if?src=aco&aco=A1026&year=2024&track=ENHANCED"
TITLES = ["{subject}: PY{year} what-if", "From gross savings to the settlement",
          "Payment curve: {track}, PY{year}", "The same scenario under every track",
          "Quality, rules applied, data and the link"]

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                   reason="poppler-utils not installed (make browser installs it)")


def _make(db: Path, link: str, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--link", link, "--out", str(out), "--db", str(db)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def _pdf_pages(pdf: Path, tmp_path: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "110", "-png", str(pdf), str(tmp_path / "page")], check=True)
    return sorted(tmp_path.glob("page*.png"))


def _slides_text(deck: Presentation) -> str:
    return " ".join(run.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
                    for p in shape.text_frame.paragraphs for run in p.runs)


def _a1026_enhanced(db: Path):
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT * FROM aco_year WHERE aco_id = 'A1026' AND performance_year = 2024").df()
    return replace(scenario_from_row(row.iloc[0].to_dict(), "A1026"), track="ENHANCED").settle()


@needs_poppler
def test_a1026_enhanced_pdf_is_one_page_with_the_payment_cms_figure_and_link(report_cms_db, tmp_path, capsys):
    pdf = tmp_path / "a1026.pdf"
    code, out, err = _make(report_cms_db, A1026_LINK, pdf, capsys)
    assert code == 0 and "wrote" in out and not err
    pages = _pdf_pages(pdf, tmp_path)
    assert len(pages) == 1
    SCREENSHOTS.mkdir(exist_ok=True)
    shutil.copy(pages[0], SCREENSHOTS / "report_pdf.png")
    text = _pdf_text(pdf)
    flat = " ".join(text.split())
    earned = _a1026_enhanced(report_cms_db).earned
    assert earned > 11_143_493  # ENHANCED shares 75% where BASIC E shares 50%
    for expected in ("A1026 - AHS ACO, LLC", "PY2024", money(earned), money_full(earned), "CMS settled",
                     "$11,143,493", money_full(earned - 11_143_493, signed=True), "Medicare keeps",
                     "42 CFR 425.610", "reporting incentive", "Model fidelity", "mssp_puf_py2024.csv"):
        assert expected in flat, expected
    link = "".join(text.split())  # the link wraps across lines
    assert "what_if?src=aco&aco=A1026&year=2024&track=ENHANCED" in link


def test_a1026_enhanced_slides(report_cms_db, tmp_path, capsys):
    deck_path = tmp_path / "a1026.pptx"
    code, _, _ = _make(report_cms_db, A1026_LINK, deck_path, capsys)
    assert code == 0
    deck = Presentation(str(deck_path))
    assert 3 <= len(deck.slides) <= 5
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert titles == [t.format(subject="A1026 - AHS ACO, LLC", year=2024, track="ENHANCED") for t in TITLES]
    charts = [[s.chart for s in slide.shapes if s.has_chart] for slide in deck.slides]
    assert [len(c) for c in charts] == [0, 1, 1, 1, 0]
    waterfall = charts[1][0]
    assert list(waterfall.plots[0].categories) == ["Gross savings", "Medicare keeps 25%",
                                                   "Sequestration (2% of the payment)", "Payment to ACO"]
    assert len(list(charts[3][0].plots[0].categories)) == 10  # every track
    text = _slides_text(deck)
    earned = _a1026_enhanced(report_cms_db).earned
    assert money(earned) in text and "CMS settled $11.1M" in text and "aco=A1026" in text


@needs_poppler
def test_template_on_demo_data(report_demo_db, tmp_path, capsys):
    link = "src=template&year=2023&track=ENHANCED&q=90&exp=140000000"
    pdf, deck_path = tmp_path / "template.pdf", tmp_path / "template.pptx"
    assert _make(report_demo_db, link, pdf, capsys)[0] == 0
    assert _make(report_demo_db, link, deck_path, capsys)[0] == 0
    assert len(_pdf_pages(pdf, tmp_path)) == 1
    expected = replace(TEMPLATE, performance_year=2023, track="ENHANCED", quality_score=0.9,
                       expenditure=140_000_000).settle()
    flat = " ".join(_pdf_text(pdf).split())
    for text in ("Template ACO", "PY2023", money_full(expected.earned), "Synthetic demo data",
                 "not measured on synthetic data"):
        assert text in flat, text
    deck = Presentation(str(deck_path))
    assert len(deck.slides) == 5 and money(expected.earned) in _slides_text(deck)


@needs_poppler
def test_hostile_name_and_link_values_appear_literally(report_demo_db, tmp_path, capsys):
    link = f"aco={HOSTILE_ID}&year=2024&q=<i>9</i>&track=**GOLD**&junk=1"
    pdf, deck_path = tmp_path / "hostile.pdf", tmp_path / "hostile.pptx"
    code, _, err = _make(report_demo_db, link, pdf, capsys)
    assert code == 0
    assert "q=<i>9</i>" in err and "ignored (not a number)" in err and err.startswith("warning: ")
    assert "track=**GOLD**" in err and "junk" in err
    assert len(_pdf_pages(pdf, tmp_path)) == 1
    flat = " ".join(_pdf_text(pdf).split())
    assert HOSTILE_NAME in flat
    assert "Link values not used" in flat and "q=<i>9</i>" in flat and "track=**GOLD**" in flat
    assert _make(report_demo_db, link, deck_path, capsys)[0] == 0
    deck = Presentation(str(deck_path))
    assert deck.slides[0].shapes.title.text == f"{HOSTILE_ID} - {HOSTILE_NAME}: PY2024 what-if"
    assert "q=<i>9</i>" in _slides_text(deck)


@pytest.mark.parametrize(("link", "out", "message"), [
    ("", "x.pdf", "error: empty link"),
    ("http://localhost:8501/what_if", "x.pdf", "error: the link holds no what-if values"),
    ("aco=NOPE&year=2024", "x.pdf", "error: no ACO NOPE in the database"),
    (f"aco={HOSTILE_ID}&year=2019", "x.pptx", f"error: {HOSTILE_ID} has no results for PY2019"),
    ("aco=A1&year=2024", "x.docx", "error: --out must end in .pdf or .pptx"),
])
def test_bad_input_is_one_line_and_exit_2(report_demo_db, tmp_path, capsys, link, out, message):
    code, stdout, err = _make(report_demo_db, link, tmp_path / out, capsys)
    assert code == 2 and not stdout
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / out).exists()


def test_missing_database_is_one_line(tmp_path, capsys):
    code = main(["--link", "aco=A1&year=2024", "--out", str(tmp_path / "x.pdf"),
                 "--db", str(tmp_path / "no.db")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: no database at") and err.count("\n") == 1


def test_report_never_imports_streamlit():
    code = ("import sys, report.__main__, report.pdf, report.slides, report.summary; "
            "sys.exit('streamlit' in sys.modules)")
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0
