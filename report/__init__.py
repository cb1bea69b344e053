"""Executive summary of a what-if scenario: a one-page PDF and a short PPTX, from its share link.

An entry point beside pages/ (never imports Streamlit): `summary.summary_from_link` reads the link
and settles the scenario, `pdf.render_pdf` and `slides.render_pptx` draw it with the document
libraries' own charts (reportlab graphics, python-pptx charts; no browser). From the shell:

    python -m report --link "http://localhost:8501/what_if?aco=A1026&year=2024" --out a1026.pdf
"""
