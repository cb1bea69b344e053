"""Load: N concurrent viewers over Streamlit's websocket, as browsers drive it, against a local server.

Starts `streamlit run app.py` itself (127.0.0.1, a free port, the database built into a temporary folder
from CMS's files when present, else the demo set), then for 1, 10 and 20 sessions at a time: each session
opens a page from a link (a mix of the seven pages, with their query parameters) and reruns it by changing
one of its controls, again and again, now and then opening another link in a new tab, with no pause
between runs (a closed loop: the server is kept busy, so runs a second is the server's throughput).
Each page run is timed from the rerun request to Streamlit's script-finished message. Prints p50/p95
page-run time, page runs a second, errors (an exception or st.error element, a page not found, a run
over the time limit, a dropped connection) and the server's CPU per page run. Bounded: each session
makes at most --runs page runs, each level stops starting runs after --seconds, a run waits at most
--timeout; the server is stopped at the end, whatever happens. Asserts nothing.

The protocol, as Streamlit 1.67's frontend speaks it (streamlit/proto/BackMsg.proto, ForwardMsg.proto):
- connect to ws://HOST/_stcore/stream with subprotocol "streamlit" and the page's Origin;
- a page run is a BackMsg `rerun_script` (ClientState: query string, page name or page script hash,
  the widget values the browser holds, the hashes of the large messages it has cached);
- the server answers with ForwardMsgs: `new_session`, `navigation` (the pages and their hashes),
  `page_info_changed` (the new query string), `delta`s (elements; a cached one comes back as `ref_hash`)
  and `script_finished` (FINISHED_EARLY_FOR_RERUN when the script reran itself: keep waiting).
Controls are changed the way the browser reports them: a WidgetState keyed by the element's id, with the
value type the widget registers (slider: double_array_value, selectbox/radio: string_value of the shown
option, segmented control/multiselect: string_array_value, number input: double_value, checkbox: bool).
A control drawn inside an st.fragment (its delta carries the fragment's id) reruns that fragment only:
the rerun_script names the fragment (ClientState.fragment_id), as the browser's does, and the server
answers FINISHED_FRAGMENT_RUN_SUCCESSFULLY.

    .venv/bin/python benchmarks/load.py                  # 1, 10 and 20 sessions
    .venv/bin/python benchmarks/load.py --sessions 20 --runs 8 --seconds 40
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CMS = ROOT.parent / "shared" / "data" / "cms"

from tests.e2e.conftest import stop_server  # noqa: E402  (as benchmarks/pages.py: one way to stop a server)

DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
CHANGEABLE = ("slider", "selectbox", "number_input", "button_group", "multiselect", "checkbox", "radio",
              "text_input")
SEARCHES = ("", "health", "care", "partners", "A1", "medical")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the server ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, log: Path) -> subprocess.Popen:
    """`streamlit run app.py` on 127.0.0.1:port, its log in `log`; returns once its health check answers."""
    env = dict(os.environ, ACO_LENS_DB=str(db), ACO_LENS_CMS_DIR="")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",  # as `make run` serves
             "--server.allowedHosts", "localhost", "--server.allowedHosts", "127.0.0.1",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError("streamlit did not answer within 60 s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


# --- the links the sessions open -------------------------------------------------------------------
def links(db: Path) -> list[tuple[str, str]]:
    """(page, query string) pairs over the seven pages, with ACO ids taken from the database."""
    from data.queries import AcoDatabase

    database = AcoDatabase(db)
    try:
        index = database.aco_index()
        last = int(index["last_year"].max())
        recent = index[index["last_year"] == last]["aco_id"].tolist()
        picks = [recent[i * len(recent) // 4] for i in range(4)] if len(recent) >= 4 else recent * 4
        upfront = database.upfront_index()["aco_id"].tolist()
    finally:
        database.close()
    out = [
        ("", ""),
        ("", f"years={last - 3}-{last}"),
        ("explorer", f"aco={picks[0]}&year={last}"),
        ("explorer", f"aco={picks[1]}"),
        ("what_if", f"aco={picks[2]}&year={last}"),
        ("what_if", f"aco={picks[3]}&year={last}&track=ENHANCED&q=80"),
        ("risk_election", f"aco={picks[1]}&year={last - 1}"),
        ("program_what_if", f"year={last}"),
        ("payment_models", f"model=upfront&aco={upfront[0]}" if upfront else "model=upfront&src=template"),
        ("payment_models", "model=pioneer&py=3"),
        ("data_sources", ""),
    ]
    return out


# --- one browser tab ---------------------------------------------------------------------------------
@dataclass
class Run:
    page: str
    seconds: float
    error: str | None = None
    cpu: float = 0.0  # the server's CPU seconds during the run (one session at a time only)


@dataclass
class Session:
    """One browser tab: its connection, page, query string, controls, and cache of large messages."""

    port: int
    rng: random.Random
    timeout: float
    cpu: object = None  # a callable: the server's CPU seconds so far
    ws: object = None
    page: str = ""
    query_string: str = ""
    page_hash: str = ""
    # id -> (kind, element proto, id of the st.fragment it is drawn in or "")
    widgets: dict[str, tuple[str, object, str]] = field(default_factory=dict)
    states: dict[str, WidgetState] = field(default_factory=dict)  # the values this tab has changed
    cache: dict[str, ForwardMsg] = field(default_factory=dict)  # hash -> cacheable message

    async def connect(self) -> None:
        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
            origin=f"http://127.0.0.1:{self.port}", max_size=None, open_timeout=self.timeout,
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def open(self, page: str, query: str) -> Run:
        """Open a link in this (new) tab: the page by its URL path, as the browser's first message."""
        self.page, self.query_string = page, query
        return await self.run(page_name=page, page_hash="")

    async def change_control(self) -> Run:
        """Change one of the page's controls (chosen at random) to another value and rerun."""
        choices = [(wid, kind, el, fragment) for wid, (kind, el, fragment) in self.widgets.items()
                   if not getattr(el, "disabled", False) and _changeable(kind, el)]
        fragment = ""
        if choices:
            wid, kind, element, fragment = self.rng.choice(choices)
            old = self.states.get(wid)
            for _ in range(5):  # another value than the one it has, when the control has one
                new = _new_value(wid, kind, element, old, self.rng)
                if old is None or new != old:
                    break
            self.states[wid] = new
        return await self.run(page_name="", page_hash=self.page_hash, fragment_id=fragment)

    async def run(self, *, page_name: str, page_hash: str, fragment_id: str = "") -> Run:
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query_string
        state.page_name = page_name
        state.page_script_hash = page_hash
        state.fragment_id = fragment_id  # a control inside an st.fragment reruns that fragment only
        state.widget_states.widgets.extend(self.states.values())
        state.cached_message_hashes.extend(self.cache)
        state.context_info.timezone = "UTC"
        state.context_info.timezone_offset = 0
        state.context_info.locale = "en-US"
        state.context_info.url = f"http://127.0.0.1:{self.port}/{self.page}?{self.query_string}"
        start, cpu = time.perf_counter(), self.cpu() if self.cpu else 0.0
        try:
            await self.ws.send(back.SerializeToString())
            error = await asyncio.wait_for(self._until_finished(), self.timeout)
        except TimeoutError:
            error = f"no script-finished message within {self.timeout:g} s"
        except websockets.ConnectionClosed as exc:
            error = f"connection closed: {exc}"
        seconds = time.perf_counter() - start
        return Run(self.page or "overview", seconds, error, self.cpu() - cpu if self.cpu else 0.0)

    async def _until_finished(self) -> str | None:
        seen: dict[str, tuple[str, object, str]] = {}
        error = None
        fragment = False
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                if msg.ref_hash not in self.cache:
                    error = error or "the server referred to a message this tab never received"
                    continue
                msg = self.cache[msg.ref_hash]
                kind = msg.WhichOneof("type")
            elif msg.metadata.cacheable:
                self.cache[msg.hash] = msg
            if kind == "new_session":
                self.page_hash = msg.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":
                self.page_hash = msg.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                error = error or f"page not found: {msg.page_not_found.page_name}"
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                etype = element.WhichOneof("type")
                if etype == "exception":
                    error = error or f"exception shown: {element.exception.type}: {element.exception.message}"
                elif etype == "alert" and element.alert.format == Alert.ERROR:  # e.g. an unreadable database:
                    error = error or f"error shown: {element.alert.body[:120]}"  # fast runs that show nothing
                elif etype in CHANGEABLE:
                    proto = getattr(element, etype)
                    seen[proto.id] = (etype, proto, msg.delta.fragment_id)
            elif kind == "script_finished":
                status = msg.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the script reran itself (st.rerun): the run goes on
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    error = error or "compile error"
                fragment = status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                break
        if fragment:
            self.widgets.update(seen)
        else:  # the browser forgets the values of controls the run did not draw
            self.widgets = seen
            self.states = {k: v for k, v in self.states.items() if k in seen}
        return error


def _changeable(kind: str, element) -> bool:
    if kind == "text_input":
        return "Search" in element.label
    if kind == "slider":
        return element.data_type in (element.INT, element.FLOAT) or len(element.options) > 1
    if kind in ("selectbox", "radio", "multiselect", "button_group"):
        return len(element.options) > 1
    return True


def _new_value(wid: str, kind: str, element, old: WidgetState | None, rng: random.Random) -> WidgetState:
    """Another value for the control, in the WidgetState form its widget registers."""
    state = WidgetState(id=wid)
    if kind == "slider" and len(element.options) > 1:  # select_slider: the shown options
        picks = sorted(rng.sample(range(len(element.options)), 2 if len(element.default) == 2 else 1))
        state.string_array_value.data.extend(element.options[i] for i in picks)
    elif kind == "slider":
        steps = max(1, round((element.max - element.min) / (element.step or 1)))
        count = len(element.value or element.default) or 1
        values = sorted(element.min + rng.randint(0, steps) * element.step for _ in range(count))
        state.double_array_value.data.extend(min(v, element.max) for v in values)
    elif kind in ("selectbox", "radio"):
        state.string_value = rng.choice(list(element.options))
    elif kind == "multiselect":
        options = list(element.options)
        state.string_array_value.data.extend(rng.sample(options, rng.randint(1, len(options))))
    elif kind == "button_group":
        state.string_array_value.data.append(rng.choice([o.content for o in element.options]))
    elif kind == "checkbox":
        current = old.bool_value if old is not None else (element.value if element.set_value else
                                                          element.default)
        state.bool_value = not current
    elif kind == "number_input":
        if old is not None:
            current = old.double_value
        elif element.HasField("value"):
            current = element.value
        elif element.HasField("default"):
            current = element.default
        else:
            current = element.min if element.has_min else 0.0
        value = current + (element.step or 1) * rng.choice((-3, -2, -1, 1, 2, 3))
        if element.has_min:
            value = max(value, element.min)
        if element.has_max:
            value = min(value, element.max)
        state.double_value = round(value) if element.data_type == element.INT else value
    elif kind == "text_input":
        state.string_value = rng.choice(SEARCHES)
    return state


# --- a level: N sessions at once ---------------------------------------------------------------------
async def session_loop(port: int, link_list, index: int, runs: int, deadline: float, timeout: float,
                       seed: int, out: list[Run], cpu=None) -> None:
    """One viewer: opens a link in a tab and changes its controls a few times, then opens the next link in
    a new tab (the old one closed), as someone handed several links would. `cpu`, when given, is the
    server's CPU clock: each run's share is recorded (meaningful with one session only)."""
    rng = random.Random(seed * 1000 + index)
    done, tab = 0, 0
    while done < runs and time.monotonic() < deadline:
        page, query = link_list[(index + tab) % len(link_list)]
        tab += 1
        session = Session(port, rng, timeout, cpu=cpu)
        try:
            await session.connect()
        except (OSError, websockets.InvalidHandshake, TimeoutError) as exc:
            out.append(Run("connect", 0.0, f"could not connect: {exc}"))
            return
        try:
            out.append(await session.open(page, query))
            done += 1
            for _ in range(rng.randint(2, 6)):
                if done >= runs or time.monotonic() >= deadline:
                    break
                out.append(await session.change_control())
                done += 1
        finally:
            await session.close()


async def level(port: int, link_list, sessions: int, runs: int, seconds: float, timeout: float,
                seed: int, cpu=None) -> tuple[list[Run], float]:
    out: list[Run] = []
    start = time.monotonic()
    cpu = cpu if sessions == 1 else None
    await asyncio.gather(*(session_loop(port, link_list, i, runs, start + seconds, timeout, seed, out, cpu)
                           for i in range(sessions)))
    return out, time.monotonic() - start


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default="1,10,20", help="comma-separated session counts")
    parser.add_argument("--runs", type=int, default=0,
                        help="page runs per session (default: 60 for 1 session, 12 for 10, 8 for 20)")
    parser.add_argument("--seconds", type=float, default=60, help="time budget per level")
    parser.add_argument("--timeout", type=float, default=30, help="longest wait for one page run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="an existing database (default: built into a temp folder)")
    parser.add_argument("--by-page", action="store_true", help="also print p50/p95 per page")
    parser.add_argument("--only", default="", help="comma-separated pages (overview, explorer, what_if...): "
                        "only their links, to measure one page's CPU")
    args = parser.parse_args()
    counts = [int(n) for n in args.sessions.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from data.build import build_database

            real = (CMS / "mssp_puf_py2024.csv").exists()
            db = Path(tmp) / "aco.duckdb"
            build_database(CMS if real else None, db, demo=not real, quiet=True)
            print(f"data: {'CMS files' if real else 'synthetic demo'}")
        link_list = links(db)
        if args.only:
            wanted = {"overview" if p == "" else p for p in args.only.split(",")}
            link_list = [(page, q) for page, q in link_list if (page or "overview") in wanted]
            if not link_list:
                parser.error(f"--only {args.only}: no link of those pages")
        port = free_port()
        log = Path(tmp) / "server.log"
        proc = start_server(db, port, log)
        try:
            # Warm: one tab opens every link once (caches filled, the first session's quirks over).
            start = time.monotonic()
            warm_runs: list[Run] = []
            asyncio.run(_warm(port, link_list, args.timeout * 4, warm_runs))
            warm_errors = [r for r in warm_runs if r.error]
            print(f"warm-up: {len(warm_runs)} links opened in {time.monotonic() - start:.1f} s, "
                  f"{len(warm_errors)} errors" + "".join(f"\n  {r.page}: {r.error}" for r in warm_errors))
            last = None
            for n in counts:
                runs = args.runs or {1: 60, 10: 12}.get(n, 8)
                cpu_before = cpu_seconds(proc.pid)
                results, wall = asyncio.run(level(port, link_list, n, runs, args.seconds, args.timeout,
                                                  args.seed, lambda: cpu_seconds(proc.pid)))
                cpu = cpu_seconds(proc.pid) - cpu_before
                times = [r.seconds for r in results if not r.error]
                errors = [r for r in results if r.error]
                rate = len(results) / wall if wall else 0.0
                p50, p95 = quantile(times, 0.5), quantile(times, 0.95)
                print(f"{n:>3} sessions: {len(results)} page runs in {wall:.1f} s: p50 {p50:.2f} s, "
                      f"p95 {p95:.2f} s, {rate:.1f} page runs/s, {len(errors)} errors; server CPU "
                      f"{1000 * cpu / max(1, len(results)):.0f} ms a run, {cpu / wall:.2f} cores")
                for r in errors[:5]:
                    print(f"    {r.page}: {r.error[:200]}")
                if args.by_page:
                    for page in sorted({r.page for r in results}):
                        ok = [r for r in results if r.page == page and not r.error]
                        ts = [r.seconds for r in ok]
                        cpu_note = (f"  server CPU {1000 * statistics.median(r.cpu for r in ok):.0f} ms a run"
                                    f" (mean {1000 * statistics.mean(r.cpu for r in ok):.0f})"
                                    if n == 1 and ok else "")
                        print(f"      {page:<16} {len(ts):>4} runs  p50 {quantile(ts, 0.5):.2f} s  "
                              f"p95 {quantile(ts, 0.95):.2f} s{cpu_note}")
                last = (n, p95, rate, len(errors))
        finally:
            stop_server(proc)
        tracebacks = log.read_text(errors="replace").count("Traceback")
        if tracebacks:
            print(f"server log: {tracebacks} tracebacks")
    if last:
        n, p95, rate, errors = last
        print(f"load: {n} sessions p95 {p95:.2f} s, {rate:.1f} page runs/s, {errors} errors")


async def _warm(port: int, link_list, timeout: float, out: list[Run]) -> None:
    for page, query in link_list:
        session = Session(port, random.Random(0), timeout)
        await session.connect()
        try:
            out.append(await session.open(page, query))
        finally:
            await session.close()


if __name__ == "__main__":
    main()
