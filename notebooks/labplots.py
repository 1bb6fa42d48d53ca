"""Helpers the notebooks share: find and load a results folder of `lab run`, then draw it: the key
figure its lesson turns on (key_figure), the timelines of its configurations on one time axis
(timelines), an open loop's latency over the run (latency_over_time), and the
measured-versus-model-versus-document chart (comparison). Columns: ../results/README.md.

Matplotlib runs on the Agg backend (no display needed); a notebook shows a figure with
`show(fig)`, which also saves it as PNG when the environment variable LAB_FIGURES names a folder.
"""
import io
import json
import math
import os
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
import pandas as pd  # noqa: E402

# A request's two phases, as report.html draws them; grey without server stamps; red: it failed.
WAITING, SERVED, UNSTAMPED, FAILED = "#c6dbef", "#08519c", "#6b6b6b", "#d62728"
# One colour per worker process, none of them a blue: "being served" blue must not read as a worker.
WORKER_COLOURS = ["#c0392b", "#1e8449", "#8e44ad", "#d35400", "#117a65", "#7d6608", "#2e4053", "#b7950b"]
# An open loop's two latencies, and the slow request's flight behind them.
FROM_DUE, FROM_SEND, STALL = "#d35400", "#1f5fa8", "#f7dc6f"
# The bars of the bar charts: a median and a worst case, or a measured and a model.
MEDIAN, WORST, MODEL, DOCUMENT = "#1f5fa8", "#c0392b", "#9ecae1", "#fdae6b"


# ---- finding things ----------------------------------------------------------------------

def newest_results(root="../results"):
    """The newest results folder under root/<scenario>/<UTC time>/ (folder names are UTC times)."""
    folders = [p.parent for p in Path(root).glob("*/*/summary.json")]
    if not folders:
        raise FileNotFoundError(f"no results under {Path(root).resolve()}: run `lab run SCENARIO` "
                                "first, or set LAB_RESULTS to a results folder")
    return max(folders, key=lambda p: (p.name, p.stat().st_mtime))


def results_folder():
    """LAB_RESULTS if set, else the newest folder under ../results. LAB_RESULTS may name one run
    (the folder holding summary.json) or a folder of runs (an --out folder, results/<scenario>/),
    in which case the newest run in it is taken."""
    chosen = os.environ.get("LAB_RESULTS")
    if not chosen:
        return newest_results()
    folder = Path(chosen)
    if (folder / "summary.json").is_file():
        return folder
    runs = list(folder.glob("*/summary.json")) + list(folder.glob("*/*/summary.json"))
    if not runs:
        raise FileNotFoundError(f"LAB_RESULTS={chosen}: no summary.json there or below")
    return max((p.parent for p in runs), key=lambda p: p.name)


def lab_binary():
    """LAB_BINARY if set, else `lab` on PATH, else the build tree's ../build/lab."""
    for candidate in (os.environ.get("LAB_BINARY"), shutil.which("lab"), "../build/lab"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(Path(candidate).resolve())
    raise FileNotFoundError("no `lab`: set LAB_BINARY, put lab on PATH, or build ../build/lab")


# ---- loading -----------------------------------------------------------------------------

def load_results(folder):
    """(summary dict, requests DataFrame) of one results folder. Older folders without a `kind`
    column hold only the load's requests."""
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text())
    requests = pd.read_csv(folder / "requests.csv", keep_default_na=True)
    if "kind" not in requests:
        requests["kind"] = "request"
    requests["error"] = requests.get("error", pd.Series(dtype=str)).fillna("")
    return summary, requests


def rows_of(requests, configuration, index=None):
    """Every row of one configuration, all batches and kinds. `index` is its place in
    summary.json's list: requests.csv's configuration_index (older folders have no such column,
    and are matched by label and mode; two configurations may share a label)."""
    if index is not None and "configuration_index" in requests:
        return requests[requests["configuration_index"] == index]
    rows = requests[requests["configuration"] == configuration["label"]]
    if "mode" in configuration and "mode" in rows:
        rows = rows[rows["mode"] == configuration["mode"]]
    return rows


def configuration_rows(requests, configuration, kind="request", index=None):
    """One configuration's rows of one kind in its median batch (the batch its timeline draws)."""
    rows = rows_of(requests, configuration, index)
    return rows[(rows["batch"] == (configuration.get("median_batch") or 1)) & (rows["kind"] == kind)]


def is_open_loop(summary):
    """An open loop (`rate` > 0) sends on a schedule: it has latency over time, not timelines."""
    return (summary.get("load") or {}).get("rate", 0) > 0


def _ms(us):
    """Microseconds (a cell of requests.csv, maybe empty) as milliseconds, or None."""
    return None if us is None or pd.isna(us) else us / 1000.0


def table(summary):
    """The lab's table as a DataFrame. A closed loop: measured median (min–max), model, document,
    verdict. An open loop has no makespan to speak of: its latencies from due and from send."""
    if is_open_loop(summary):
        return _open_loop_table(summary)
    out = []
    for c in summary.get("configurations", []):
        measured = c.get("measured_s") or {}
        out.append({
            "configuration": c.get("label"), "mode": c.get("mode"),
            "measured median s": measured.get("median"),
            "min s": measured.get("min"), "max s": measured.get("max"),
            "model s": c.get("model_s"), "model": c.get("model_formula"),
            "document": c.get("document_text") or "",
            "below floor": bool(c.get("document_below_physical_floor")),
            "verdict": c.get("verdict"), "error": c.get("error") or "",
        })
    return pd.DataFrame(out)


def _open_loop_table(summary):
    """An open loop's table, as `lab run` prints it: latency from when each request was due (what
    a user felt) and from when it was sent (what a waiting client measures), in ms; how many
    requests came due while their connection was still busy; how far the harness fell behind."""
    out = []
    for c in summary.get("configurations", []):
        o = c.get("open_loop") or {}
        row = {"configuration": c.get("label"), "mode": c.get("mode")}
        for name, key in (("from due", "from_due_us"), ("from send", "from_send_us")):
            for p in ("p50", "p99", "max"):
                value = _ms((o.get(key) or {}).get(p))
                row[f"{name} {p} ms"] = None if value is None else round(value, 1)
        row["late for a connection"] = f"{o.get('late_for_connection')} of {(o.get('from_due_us') or {}).get('count')}"
        row["harness slip ms"] = _ms(o.get("harness_slip_us"))
        row["error"] = c.get("error") or ""
        out.append(row)
    return pd.DataFrame(out)


def describe(summary, requests):
    """What was sent, in words: a closed loop's batches, or an open loop's schedule and what
    came of it (requests sent, answered, and how many were late for their connection)."""
    load = summary.get("load", {})
    if not is_open_loop(summary):
        print(f"load:      N={load.get('requests')} requests, C={load.get('concurrency')} at a time, "
              f"{load.get('method', 'GET')} {load.get('path')}, d={load.get('delay_ms')} ms, "
              f"{load.get('repeat')} measured batches")
        print(f"floor:     no server can answer all N sooner than {summary.get('physical_floor_s')} s")
        return
    seconds = load.get("duration_ms", 0) / 1000.0
    print(f"load:      open loop: {load.get('rate'):g} requests per second for {seconds:g} s "
          f"({load.get('rate') * seconds:.0f} due, each on schedule whether or not the last was "
          f"answered) over {load.get('concurrency')} connections, {load.get('method', 'GET')} "
          f"{load.get('path')}, d={load.get('delay_ms')} ms"
          + (f"; one request of {load.get('stall_ms')} ms at {load.get('stall_at_ms', 0) / 1000:g} s"
             if load.get("stall_ms") else ""))
    for n, c in enumerate(summary.get("configurations", [])):
        rows = configuration_rows(requests, c, "request", n)
        o = c.get("open_loop") or {}
        print(f"           {c['label']}: {rows['send_us'].notna().sum()} sent, "
              f"{(rows['error'] == '').sum()} answered, {o.get('late_for_connection')} late "
              "(due while their connection still waited for an earlier answer)")


# ---- drawing -----------------------------------------------------------------------------

def show(fig, name):
    """Show a figure in the notebook as a PNG (the Agg backend draws it; no display needed), save
    it as LAB_FIGURES/<name>.png when LAB_FIGURES is set, then close it."""
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=100, bbox_inches="tight")
    figures = os.environ.get("LAB_FIGURES")
    if figures:
        Path(figures).mkdir(parents=True, exist_ok=True)
        (Path(figures) / f"{name}.png").write_bytes(png.getvalue())
        _record_axes(Path(figures) / "axes.json", name, fig)
    plt.close(fig)
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:
        return
    if get_ipython() is not None:
        display(Image(data=png.getvalue(), format="png"))


def _record_axes(file, name, fig):
    """Beside the PNGs, what each figure's axes span, say and draw, so a test can check that
    timelines share one axis, that every chart has a legend, and how far the bars reach."""
    record = json.loads(file.read_text()) if file.exists() else {}
    record[name] = [{"title": ax.get_title(), "xlim": list(ax.get_xlim()), "ylim": list(ax.get_ylim()),
                     "data_right": getattr(ax, "lab_data_right", None),
                     "legend": [t.get_text() for t in (ax.get_legend().get_texts() if ax.get_legend() else [])]}
                    for ax in fig.get_axes()]
    file.write_text(json.dumps(record, indent=1))


def _legend_outside(ax, handles=None):
    """The legend to the right of the plot, where it hides no bar."""
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)


# ---- timelines: one time axis for the whole run ------------------------------------------

MOST_ROWS = 200  # a timeline draws at most this many requests, as report.html does
LABELLED_ROWS = 30  # beyond this many rows, only every k-th row is labelled, and rows get thinner


def evenly_sampled(rows, most=MOST_ROWS):
    """At most `most` of the rows, evenly spaced, the first and the last always among them."""
    if len(rows) <= most:
        return rows
    step = (len(rows) - 1) / (most - 1)
    return rows.iloc[[round(i * step) for i in range(most)]]


def time_axis_ms(drawn):
    """Where a time axis must end, in ms, for (configuration, its rows) pairs: at the latest
    answer, or later to take in a model's or document's figure up to 1.5 times later (their
    lines are drawn; a figure further off, e.g. after --requests changed N, would only squeeze
    the bars). None when nothing was answered."""
    ends = [e / 1000.0 for _, rows in drawn for e in [rows["end_us"].max()] if pd.notna(e)]
    if not ends:
        return None
    figures = [s * 1000.0 for c, _ in drawn for s in (c.get("model_s"), c.get("document_s")) if s is not None]
    return max([max(ends)] + [f for f in figures if f <= 1.5 * max(ends)])


def worker_numbers(requests, configuration, index=None):
    """A configuration's worker processes, numbered 1, 2, ... in pid order over all its batches,
    as {pid: number}, so worker 2 is the same process in every chart of the run. A worker that
    never answered left no pid and gets no number."""
    if "worker_pid" not in requests:
        return {}
    served = rows_of(requests, configuration, index)
    pids = sorted(int(p) for p in served.loc[served["kind"] == "request", "worker_pid"].dropna().unique())
    return {pid: n + 1 for n, pid in enumerate(pids)}


def served_by_workers(configuration):
    """Whether a configuration's requests were served by worker processes (the lab's
    multi-process mode), so its charts colour by worker even when one worker took them all."""
    return configuration.get("mode") == "multi-process"


def worker_colour(number):
    return WORKER_COLOURS[(number - 1) % len(WORKER_COLOURS)]


def draw_timeline(ax, rows, configuration, axis_ms, workers=None):
    """One bar per request: waiting (sent, the server has not begun) light, served (from the
    server's start stamp to the whole answer) dark, in the colour of its worker when several
    processes served. Without server stamps: one grey bar, send to end. Failed requests are
    outlined red. Dashed line: the model; dotted: the document. `axis_ms` ends the time axis."""
    # In the order the server began them (sent order without stamps): a staircase reads as one.
    rows = rows.assign(_order=rows["server_start_us"].fillna(rows["send_us"]))
    rows = rows.sort_values(["_order", "index"])
    total = len(rows)
    rows = evenly_sampled(rows)
    by_worker = bool(workers) and (len(workers) > 1 or served_by_workers(configuration))
    height = 0.7 if len(rows) <= LABELLED_ROWS else 0.9
    for y, r in enumerate(rows.itertuples(index=False)):
        sent = _ms(r.send_us) if _ms(r.send_us) is not None else _ms(r.intended_us)
        end, begun = _ms(r.end_us), _ms(r.server_start_us)
        if sent is None or end is None:
            continue
        edge = FAILED if r.error else "none"
        if begun is None:
            ax.barh(y, end - sent, left=sent, color=UNSTAMPED, edgecolor=edge, height=height)
            continue
        begun = min(max(begun, sent), end)
        served = worker_colour(workers[int(r.worker_pid)]) if by_worker and pd.notna(r.worker_pid) else SERVED
        ax.barh(y, begun - sent, left=sent, color=WAITING, edgecolor=edge, height=height)
        ax.barh(y, end - begun, left=begun, color=served, edgecolor=edge, height=height)
    _label_rows(ax, rows)
    ax.lab_data_right = float(rows["end_us"].max() / 1000.0)  # where this batch's last answer lands
    ax.set_xlim(0, axis_ms * 1.02)
    ax.set_xlabel("ms since the batch began")
    title = f"{configuration['label']}  ({configuration.get('mode', '')})"
    if len(rows) < total:
        title += f"  ({len(rows)} of its {total} requests, evenly spaced)"
    ax.set_title(title + f"\nbatch {configuration.get('median_batch', 1)}, "
                 f"verdict: {configuration.get('verdict', '?')}", fontsize=9)
    _legend_outside(ax, _timeline_legend(rows, workers if by_worker else None)
                    + _model_lines(ax, configuration, axis_ms * 1.02))


def _label_rows(ax, rows):
    """Row labels `req i`, top to bottom; past LABELLED_ROWS rows only every k-th is labelled."""
    step = math.ceil(len(rows) / LABELLED_ROWS)
    ax.set_yticks(range(0, len(rows), step))
    ax.set_yticklabels([f"req {i}" for i in rows["index"].iloc[::step]], fontsize=7)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # the first request on top


def _timeline_legend(rows, workers):
    """A legend entry for every colour the timeline used: waiting, served (one per worker when
    several processes served), unstamped, failed."""
    handles = [Patch(color=WAITING, label="sent, waiting for the server")]
    if workers:  # the workers that served in this batch, numbered as in every chart of the run
        served = set(rows["worker_pid"].dropna().astype(int))
        handles += [Patch(color=worker_colour(n), label=f"being served by worker {n} (pid {pid})")
                    for pid, n in workers.items() if pid in served]
    else:
        handles.append(Patch(color=SERVED, label="being served, until answered"))
    if rows["server_start_us"].isna().any():
        handles.append(Patch(color=UNSTAMPED, label="sent to answered (no server stamps)"))
    if (rows["error"] != "").any():
        handles.append(Patch(facecolor="white", edgecolor=FAILED, label="failed"))
    return handles


def _model_lines(ax, configuration, right_ms):
    """The model's makespan (dashed) and the document's figure (dotted) as vertical lines where
    they fall on the axis; returns their legend entries, which say the formula and the text."""
    model, document = configuration.get("model_s"), configuration.get("document_s")
    same = model is not None and document is not None and abs(model - document) <= 0.01 * model
    lines = ((model, "--", f"model {configuration.get('model_formula', '')} = {model:.3f} s"
              + (" = document" if same else "") if model is not None else ""),
             (None if same else document, ":", f"document: {configuration.get('document_text') or document}"))
    handles = []
    for seconds, style, text in lines:
        if seconds is not None and seconds * 1000 <= right_ms:
            ax.axvline(seconds * 1000, color="black", linestyle=style, linewidth=1)
            handles.append(Line2D([], [], color="black", linestyle=style, linewidth=1, label=text))
    return handles


def draw_probes(ax, rows, configuration):
    """Bystander probes (e.g. /health) sent while the load ran: latency against send time."""
    ax.plot(rows["send_us"] / 1000.0, (rows["end_us"] - rows["send_us"]) / 1000.0, "o", markersize=3,
            color=MEDIAN, label="one bystander request (probe)")
    _legend_outside(ax)
    ax.set_xlabel("ms since the batch began (probe sent)")
    ax.set_ylabel("probe latency, ms")
    ax.set_title(f"probes during {configuration['label']}", fontsize=9)


def _probe_top_ms(requests):
    """The slowest probe of the run, in ms: the top of every probe panel's latency axis."""
    probes = requests[requests["kind"] == "probe"]
    return None if probes.empty else (probes["end_us"] - probes["send_us"]).max() / 1000.0


def timelines(summary, requests, prefix="timeline", zoom=True):
    """A timeline per configuration (median batch), all on one time axis, with a probe panel
    where there were probes (their latencies on one scale too). A configuration that fills less
    than half the axis follows with a zoomed view on its own axes, titled as such."""
    if is_open_loop(summary):
        print("an open loop has no batch timeline: its key figure, latency over time, is the picture")
        return
    drawn = [(c, configuration_rows(requests, c, "request", n))
             for n, c in enumerate(summary.get("configurations", []))]
    axis, probe_top = time_axis_ms(drawn), _probe_top_ms(requests)
    for n, (configuration, load) in enumerate(drawn):
        if load.empty:
            print(f"{configuration['label']}: no requests recorded "
                  f"({configuration.get('error') or 'nothing ran'})")
            continue
        probes = configuration_rows(requests, configuration, "probe", n)
        workers = worker_numbers(requests, configuration, n)
        name = f"{prefix}-{n + 1}"
        _timeline_figure(configuration, load, probes, workers, axis, probe_top, name,
                         f"shared time axis of the run: 0–{axis:.1f} ms; widths compare")
        own = time_axis_ms([(configuration, load)])
        if zoom and own < 0.5 * axis:
            _timeline_figure(configuration, load, probes, workers, own, None, name + "-zoomed",
                             f"ZOOMED: its own axis, 0–{own:.1f} ms; widths do not compare")


def _timeline_figure(configuration, load, probes, workers, axis_ms, probe_top, name, axis_note):
    """One figure: the timeline on a time axis ending at axis_ms, and beneath it, if there were
    probes, their latencies on the same time axis (latency axis up to probe_top; None: their own)."""
    panels = 2 if not probes.empty else 1
    bars = min(0.22 * min(len(load), MOST_ROWS), 7.0) + 0.5  # inches; 200 rows still fit a screen
    fig, axes = plt.subplots(panels, 1, squeeze=False, figsize=(9, 1.2 + bars + 2.4 * (panels - 1)),
                             gridspec_kw={"height_ratios": [bars, 2.0][:panels]})
    timeline = axes[0][0]
    draw_timeline(timeline, load, configuration, axis_ms, workers)
    timeline.set_title(timeline.get_title() + f"\n{axis_note}", fontsize=9)
    if panels == 2:
        draw_probes(axes[1][0], probes, configuration)
        axes[1][0].set_xlim(timeline.get_xlim())
        if probe_top:
            axes[1][0].set_ylim(0, probe_top * 1.1)
            axes[1][0].set_title(axes[1][0].get_title() + " (latency axis shared by every configuration)",
                                 fontsize=9)
    fig.tight_layout()
    show(fig, name)


# ---- the key figure: what the lesson turns on, charted first ------------------------------

def key_figure_name(summary):
    """The figure the scenario's lesson turns on (summary.json's key_figure; older folders:
    latency over time for an open loop, else the makespan)."""
    return summary.get("key_figure") or ("latency-over-time" if is_open_loop(summary) else "makespan")


def key_figure(summary, requests, name="key-figure"):
    """The lesson's own figure, charted first: the makespan, the bystander's latency, the peak
    memory, the requests per worker, or an open loop's latency over time."""
    figure = key_figure_name(summary)
    draw = {"makespan": lambda: comparison(summary, name),
            "bystander-latency": lambda: bystander_latency(summary, requests, name),
            "peak-memory": lambda: peak_memory(summary, name),
            "per-worker": lambda: per_worker(summary, requests, name),
            "latency-over-time": lambda: latency_over_time(summary, requests, name)}
    if figure not in draw:
        print(f"key figure {figure!r} is not one these notebooks know; showing the makespan")
    draw.get(figure, draw["makespan"])()


def _grouped_bars(ax, labels, series, colours, texts):
    """Horizontal bars, one group per configuration (`labels`), one bar per series, every bar on
    one scale. `series` maps a legend name to a value per configuration (None: no bar, and its
    text says why); `texts` maps the same name to the text written beside each bar."""
    height = 0.8 / max(1, len(series))
    for k, (what, values) in enumerate(series.items()):
        ys = [n + k * height for n in range(len(values))]
        bars = ax.barh(ys, [v or 0 for v in values], height * 0.9, color=colours[k], label=what)
        ax.bar_label(bars, labels=texts[what], fontsize=7, padding=2)
    ax.set_yticks([n + 0.4 - height / 2 for n in range(len(labels))])
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.margins(x=0.15)  # room for the texts beside the longest bar
    ax.legend(fontsize=8, loc="lower right")


def _chart(summary, name, rows, xlabel, what, draw):
    """A horizontal bar chart, one group per configuration: sized for `rows` bars, its x label
    and title (`what`) set, then shown; `draw(ax)` draws the bars."""
    fig, ax = plt.subplots(figsize=(9, 0.9 + 0.35 * rows))
    draw(ax)
    ax.set_xlabel(xlabel)
    ax.set_title(f"{summary.get('scenario', '')}: {what}", fontsize=9)
    fig.tight_layout()
    show(fig, name)


def _labels(summary):
    return [c["label"] for c in summary.get("configurations", [])]


def bystander_latency(summary, requests, name="key-figure"):
    """How long the bystander probes (e.g. GET /health) waited while the batches ran: median and
    worst per configuration, over all its batches, every bar on one scale."""
    configurations = summary.get("configurations", [])
    medians, worst = [], []
    for n, c in enumerate(configurations):
        mine = rows_of(requests, c, n)
        mine = mine[(mine["kind"] == "probe") & (mine["error"] == "")]
        waited = (mine["end_us"] - mine["send_us"]) / 1000.0
        medians.append(None if waited.empty else round(float(waited.median()), 1))
        worst.append(None if waited.empty else round(float(waited.max()), 1))
    series = {"median probe": medians, "worst probe": worst}
    texts = {k: [f"{v:g} ms" if v is not None else "no probes" for v in values] for k, values in series.items()}
    path = (summary.get("load") or {}).get("probe_path") or "the probe"
    _chart(summary, name, 2 * len(configurations),
           f"ms a {path} request waited while the batch ran (every bar on one scale)",
           f"how long {path} waited",
           lambda ax: _grouped_bars(ax, _labels(summary), series, [MEDIAN, WORST], texts))


def peak_memory(summary, name="key-figure"):
    """Each server's peak resident memory (peak_rss_kib; -1: not measured), on one scale."""
    mib = [round(c["peak_rss_kib"] / 1024.0, 1) if c.get("peak_rss_kib", -1) >= 0 else None
           for c in summary.get("configurations", [])]
    texts = {"peak resident memory": [f"{v:g} MiB" if v is not None else "not measured" for v in mib]}
    _chart(summary, name, 1.7 * len(mib), "MiB, the server's peak resident memory (all its processes)",
           "memory each design held", lambda ax: _grouped_bars(ax, _labels(summary),
                                                               {"peak resident memory": mib}, [MEDIAN], texts))


def per_worker(summary, requests, name="key-figure"):
    """Requests each worker process answered in the median batch, one bar per worker, workers
    numbered by pid order (worker_numbers); a configuration's workers that never answered show
    as 0. With an even spread every bar of a configuration would be N/W long."""
    configurations = summary.get("configurations", [])
    counts = []  # per configuration: {worker number: (pid, requests answered)}
    for n, c in enumerate(configurations):
        numbers = worker_numbers(requests, c, n)
        answered = configuration_rows(requests, c, "request", n)["worker_pid"].dropna().astype(int).value_counts()
        counts.append({k: (pid, int(answered.get(pid, 0))) for pid, k in numbers.items()})
    declared = [c.get("workers", 0) if served_by_workers(c) else 0 for c in configurations]
    most = max([len(x) for x in counts] + declared + [0])
    series, texts = {}, {}
    for w in range(1, most + 1):
        name_w = f"worker {w}"
        series[name_w] = [x[w][1] if w in x else (0 if w <= d else None) for x, d in zip(counts, declared)]
        texts[name_w] = [f"{x[w][1]} (pid {x[w][0]})" if w in x else ("0 (never answered)" if w <= d else "")
                         for x, d in zip(counts, declared)]
    _chart(summary, name, 1.1 * most * len(configurations),
           "requests answered in the median batch (workers numbered in pid order)",
           "how the workers shared the requests",
           lambda ax: _grouped_bars(ax, _labels(summary), series, [worker_colour(w) for w in range(1, most + 1)], texts))


def latency_over_time(summary, requests, name="latency-over-time"):
    """An open loop's latency against when each request was due, one panel per configuration on
    shared axes: from when it was due (what a user felt) and from when it was sent (what a
    client that waits measures). The slow request's flight is shaded."""
    configurations = summary.get("configurations", [])
    fig, axes = plt.subplots(len(configurations), 1, squeeze=False, sharex=True, sharey=True,
                             figsize=(9, 0.6 + 2.2 * len(configurations)))
    for n, c in enumerate(configurations):
        ax = axes[n][0]
        rows = configuration_rows(requests, c, "request", n)
        rows = rows[(rows["error"] == "") & rows["intended_us"].notna()]
        due_s = rows["intended_us"] / 1e6
        ax.plot(due_s, (rows["end_us"] - rows["intended_us"]) / 1000.0, ".", markersize=3,
                color=FROM_DUE, label="from when it was due")
        ax.plot(due_s, (rows["end_us"] - rows["send_us"]) / 1000.0, ".", markersize=2,
                color=FROM_SEND, label="from when it was sent")
        for stall in configuration_rows(requests, c, "probe", n).itertuples(index=False):
            if pd.notna(stall.send_us) and pd.notna(stall.end_us):
                ax.axvspan(stall.send_us / 1e6, stall.end_us / 1e6, color=STALL, alpha=0.5,
                           label="the slow request in flight")
        ax.set_ylabel("latency, ms", fontsize=8)
        ax.set_title(c["label"], fontsize=9)
        ax.legend(fontsize=7, loc="upper right")
    axes[-1][0].set_xlabel("s since the run began (when each request was due)")
    fig.tight_layout()
    show(fig, name)


def comparison(summary, name="comparison"):
    """Grouped bars per configuration: measured median (whiskers min–max), model, document
    (hatched when below the physical floor); the physical floor ceil(N/C)·d as a dashed line."""
    if is_open_loop(summary):
        print("an open loop has no makespan to compare: its key figure, latency over time, is the picture")
        return
    configurations = [c for c in summary.get("configurations", []) if c.get("measured_s")]
    if not configurations:
        print("nothing measured")
        return
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(configurations)), 4))
    width = 0.27
    for n, c in enumerate(configurations):
        m = c["measured_s"]
        ax.bar(n - width, m["median"], width, color=SERVED,
               yerr=[[m["median"] - m["min"]], [m["max"] - m["median"]]], capsize=3)
        if c.get("model_s") is not None:
            ax.bar(n, c["model_s"], width, color=MODEL)
        if c.get("document_s") is not None:
            below = c.get("document_below_physical_floor")
            ax.bar(n + width, c["document_s"], width, color=DOCUMENT, hatch="//" if below else None)
    handles = [Patch(color=SERVED, label="measured (median; whiskers: min–max)"),
               Patch(color=MODEL, label="model"), Patch(color=DOCUMENT, label="document")]
    if any(c.get("document_below_physical_floor") for c in configurations):
        handles.append(Patch(facecolor=DOCUMENT, hatch="//", label="document, below the physical floor"))
    floor = summary.get("physical_floor_s")
    if floor:
        ax.axhline(floor, color="black", linestyle="--", linewidth=1)
        handles.append(Line2D([], [], color="black", linestyle="--", label="physical floor"))
    ax.set_xticks(range(len(configurations)))
    ax.set_xticklabels([c["label"] for c in configurations], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("seconds, all N requests (makespan)")
    ax.set_title(f"{summary.get('scenario', '')}: measured vs model vs document", fontsize=9)
    ax.legend(handles=handles, fontsize=8)
    fig.tight_layout()
    show(fig, name)
