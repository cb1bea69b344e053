"""The browser fetches the code of st.metric with the page itself, not when the first number arrives.

Streamlit's frontend loads the code of most elements only when the first element of that kind reaches the
browser (a "chunk": a JavaScript file of its bundle, React.lazy). Each page's first numbers are st.metric
elements, and their chunk (Metric.*.js) imports some 45 files, a dozen of which nothing else on screen has
loaded yet. Fetched only once the metrics arrived, from a server busy running the page, those files came
in after the 4.7 MB chart library had been asked for too; the browser then ran the chart library (a second
or more of its one thread on this 2-core machine) before it drew the numbers, and `/` showed its first
number 5.3 s after the server started, 2.4x Streamlit's one-metric app (benchmarks/pages.py).

`PreloadChunks` (app.py's middleware) adds an HTTP `Link: <...>; rel=preload; as=script; crossorigin`
header to Streamlit's page (index.html, answered for every page's URL): the browser fetches those files
alongside the frontend's own, and its module loader takes them from there when the first metric asks.
Only the metric's chunk: preloading the chart library and the table's too (8 MB) made the first number
and the whole page later, not sooner (measured: the page's own start waited on them).

The file names carry hashes that change with each Streamlit release, so they are read from the installed
frontend (its entry script names each chunk and the files it imports, `__vite__mapDeps`). If a release
writes that differently, the header is left out, with a warning in the log: the pages work as before.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from pathlib import Path

import streamlit

_LOG = logging.getLogger("aco_lens")
STATIC = Path(streamlit.__file__).parent / "static"
CHUNKS = ("Metric",)  # the element every page's first numbers are drawn with (st.metric)
_DEPENDENCY_TABLE = re.compile(r"__vite__mapDeps=\(i,m=__vite__mapDeps,d=\(m\.f\|\|\(m\.f=(\[.*?\])\)\)")
_PRELOADED = re.compile(r'<link rel="modulepreload"[^>]*href="\./static/js/([^"]+)"')


def chunk_files(entry_script: str, index_html: str, names: tuple[str, ...] = CHUNKS) -> list[str]:
    """The JavaScript files (names in static/js/) that the chunks `names` import, each chunk first, less
    those index.html already has the browser fetch.

    `entry_script` is the frontend's entry (static/js/index.*.js), whose code loads each chunk as
    ``import(`./Metric.MSVuxtnf.js`),__vite__mapDeps([45,1,2])`` (positions in its table of files).

    >>> entry = ('const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["./Metric.ab.js","./index.x.js",'
    ...          '"./numbro.cd.js","./Metric.ef.css"])))=>i.map(i=>d[i]);'
    ...          'H(()=>import(`./Metric.ab.js`),__vite__mapDeps([0,1,2,3]))')
    >>> chunk_files(entry, '<link rel="modulepreload" crossorigin href="./static/js/index.x.js">')
    ['Metric.ab.js', 'numbro.cd.js']
    >>> chunk_files("no table here", "")
    []
    """
    table = _DEPENDENCY_TABLE.search(entry_script)
    if table is None:
        return []
    files = json.loads(table.group(1).replace("`", '"'))
    already = set(_PRELOADED.findall(index_html))
    found: dict[str, None] = {}
    for name in names:
        load = re.search(rf"import\(`\./{re.escape(name)}\.[\w-]+\.js`\),__vite__mapDeps\(\[([\d,]+)\]\)",
                         entry_script)
        if load is None:
            continue
        for position in load.group(1).split(","):
            file = files[int(position)].removeprefix("./")
            if file.endswith(".js") and file not in already:
                found[file] = None
    return list(found)


def link_header(files: list[str]) -> str:
    """An HTTP Link header preloading `files` (static/js/ names) as module scripts.

    `crossorigin` because Streamlit loads its modules in CORS mode: a preload made without it is not the
    one the module loader looks for, and the file would be fetched twice.

    >>> for link in link_header(["Metric.ab.js", "numbro.cd.js"]).split(", "):
    ...     print(link)
    <./static/js/Metric.ab.js>; rel=preload; as=script; crossorigin
    <./static/js/numbro.cd.js>; rel=preload; as=script; crossorigin
    """
    return ", ".join(f"<./static/js/{file}>; rel=preload; as=script; crossorigin" for file in files)


@functools.cache
def installed_header(static: Path = STATIC) -> bytes:
    """The Link header for the installed Streamlit's frontend (b"" when its files cannot be read so)."""
    try:
        index_html = (static / "index.html").read_text(encoding="utf-8")
        entry = re.search(r'<script type="module"[^>]* src="\./static/js/(index\.[\w-]+\.js)"', index_html)
        script = (static / "static" / "js" / entry.group(1)).read_text(encoding="utf-8") if entry else ""
        files = [f for f in chunk_files(script, index_html) if (static / "static" / "js" / f).is_file()]
    except (OSError, ValueError, IndexError):
        files = []
    if not files:
        _LOG.warning("no preload of the metric's code: Streamlit's frontend is not laid out as expected")
    return link_header(files).encode("ascii")


class PreloadChunks:
    """ASGI middleware (app.py's st.App): Streamlit's page (an HTML answer) gets `installed_header()`."""

    def __init__(self, app) -> None:  # noqa: ANN001 - an ASGI application
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI's own types
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return

        async def with_link(message) -> None:  # noqa: ANN001
            if message["type"] == "http.response.start" and message.get("status") == 200:
                headers = message.get("headers", [])
                html = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                link = installed_header() if html else b""
                if link:
                    message = {**message, "headers": [*headers, (b"link", link)]}
            await send(message)

        await self.app(scope, receive, with_link)
