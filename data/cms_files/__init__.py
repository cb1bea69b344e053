"""CMS's file formats: reading the yearly MSSP results files and understanding their columns.

What is here knows CMS's side of the data, not the database's: what a file's bytes are (content),
finding and strictly reading a results file (sources), which CMS column means which field in which
year (cms_columns), parsing CMS's values (parsing), the PY2013 layout (py2013), PY2019's six-month
periods (six_month), track names (tracks), ids for files without them (aco_ids), rows no ACO-year can
have (row_checks), and turning one file into `aco_year` rows (cms_formats). The build, the store, the
schema, the queries and the lineage stay in `data/`.
"""
