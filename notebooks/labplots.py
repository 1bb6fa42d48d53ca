"""Helpers the notebooks share: find and load a results folder of `lab run`, draw its timelines
and its measured-versus-model-versus-document chart. Columns: ../results/README.md.

Matplotlib runs on the Agg backend (no display needed); a notebook shows a figure with
`show(fig)`, which also saves it as PNG when the environment variable LAB_FIGURES names a folder.
"""
import io
import json
import os
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
import pandas as pd  # noqa: E402

WAITING, SERVED, UNSTAMPED, FAILED = "#c6dbef", "#08519c", "#6b6b6b", "#d62728"


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


def configuration_rows(requests, configuration, kind="request", index=None):
    """One configuration's rows of its median batch (the batch the lab's timeline draws).
    `index` is its place in summary.json's list: requests.csv's configuration_index (older
    folders have no such column, and are matched by label and mode)."""
    batch = configuration.get("median_batch") or 1
    rows = requests[(requests["batch"] == batch) & (requests["kind"] == kind)]
    if index is not None and "configuration_index" in rows:
        return rows[rows["configuration_index"] == index]
    rows = rows[rows["configuration"] == configuration["label"]]
    if "mode" in configuration and "mode" in rows:
        rows = rows[rows["mode"] == configuration["mode"]]
    return rows


def table(summary):
    """The lab's table as a DataFrame: measured median (min–max), model, document, verdict."""
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


# ---- drawing -----------------------------------------------------------------------------

def show(fig, name):
    """Show a figure in the notebook as a PNG (the Agg backend draws it; no display needed), save
    it as LAB_FIGURES/<name>.png when LAB_FIGURES is set, then close it."""
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    figures = os.environ.get("LAB_FIGURES")
    if figures:
        Path(figures).mkdir(parents=True, exist_ok=True)
        (Path(figures) / f"{name}.png").write_bytes(png.getvalue())
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:
        return
    if get_ipython() is not None:
        display(Image(data=png.getvalue(), format="png"))


def _ms(value):
    return None if pd.isna(value) else value / 1000.0


def draw_timeline(ax, rows, configuration, summary):
    """One bar per request: waiting (sent, the server has not begun) light, served (from the
    server's start stamp to the whole answer) dark. Without server stamps: one grey bar,
    send to end. Failed requests are outlined red. Dashed lines: the model and the document."""
    # In the order the server began them (sent order without stamps): a staircase reads as one.
    rows = rows.assign(_order=rows["server_start_us"].fillna(rows["send_us"]))
    rows = rows.sort_values(["_order", "index"])
    for y, r in enumerate(rows.itertuples(index=False)):
        sent = _ms(r.send_us) if _ms(r.send_us) is not None else _ms(r.intended_us)
        end, begun = _ms(r.end_us), _ms(r.server_start_us)
        if sent is None or end is None:
            continue
        edge = FAILED if r.error else "none"
        if begun is None:
            ax.barh(y, end - sent, left=sent, color=UNSTAMPED, edgecolor=edge, height=0.7)
        else:
            begun = min(max(begun, sent), end)
            ax.barh(y, begun - sent, left=sent, color=WAITING, edgecolor=edge, height=0.7)
            ax.barh(y, end - begun, left=begun, color=SERVED, edgecolor=edge, height=0.7)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"req {i}" for i in rows["index"]], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.set_xlabel("ms since the batch began")
    ax.legend(handles=[Patch(color=WAITING, label="sent, waiting for the server"),
                       Patch(color=SERVED, label="being served, until answered")],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    title = f"{configuration['label']}  ({configuration.get('mode', '')})"
    ax.set_title(title + f"\nbatch {configuration.get('median_batch', 1)}, "
                 f"verdict: {configuration.get('verdict', '?')}", fontsize=9)
    model, document = configuration.get("model_s"), configuration.get("document_s")
    same = model is not None and document is not None and abs(model - document) <= 0.01 * model
    right = ax.get_xlim()[1]
    for value, style, text in ((model, "--", "model = document" if same else "model"),
                               (None if same else document, ":", "document")):
        # Only lines near the data: a run with another --delay keeps the document's own figure.
        if value is not None and value * 1000 <= 1.5 * right:
            ax.axvline(value * 1000, color="black", linestyle=style, linewidth=1)
            ax.text(value * 1000, -0.6, f" {text}", fontsize=7, va="bottom")


def draw_probes(ax, rows, configuration):
    """Bystander probes (e.g. /health) sent while the load ran: latency against send time."""
    sent = rows["send_us"] / 1000.0
    latency = (rows["end_us"] - rows["send_us"]) / 1000.0
    ax.plot(sent, latency, "o", markersize=3, color=SERVED)
    ax.set_xlabel("ms since the batch began (probe sent)")
    ax.set_ylabel("probe latency, ms")
    ax.set_title(f"probes during {configuration['label']}", fontsize=9)


def timelines(summary, requests, prefix="timeline"):
    """A timeline per configuration (median batch), and a probe plot where there were probes."""
    for n, configuration in enumerate(summary.get("configurations", [])):
        load = configuration_rows(requests, configuration, "request", n)
        if load.empty:
            print(f"{configuration['label']}: no requests recorded "
                  f"({configuration.get('error') or 'nothing ran'})")
            continue
        probes = configuration_rows(requests, configuration, "probe", n)
        panels = 2 if not probes.empty else 1
        fig, axes = plt.subplots(panels, 1, squeeze=False,
                                 figsize=(9, 1.6 + 0.22 * len(load) + 2.2 * (panels - 1)),
                                 gridspec_kw={"height_ratios": [max(2, len(load) // 3), 2][:panels]})
        draw_timeline(axes[0][0], load, configuration, summary)
        if panels == 2:
            draw_probes(axes[1][0], probes, configuration)
            axes[1][0].set_xlim(axes[0][0].get_xlim())
        fig.tight_layout()
        show(fig, f"{prefix}-{n + 1}")


def comparison(summary, name="comparison"):
    """Grouped bars per configuration: measured median (whiskers min–max), model, document;
    the physical floor ceil(N/C)·d as a dashed line."""
    configurations = [c for c in summary.get("configurations", []) if c.get("measured_s")]
    if not configurations:
        print("nothing measured")
        return
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(configurations)), 4))
    width, labelled = 0.27, set()

    def label(text):  # each legend entry once
        if text in labelled:
            return None
        labelled.add(text)
        return text

    for n, c in enumerate(configurations):
        m = c["measured_s"]
        ax.bar(n - width, m["median"], width, color=SERVED, label=label("measured (median)"),
               yerr=[[m["median"] - m["min"]], [m["max"] - m["median"]]], capsize=3)
        if c.get("model_s") is not None:
            ax.bar(n, c["model_s"], width, color="#9ecae1", label=label("model"))
        if c.get("document_s") is not None:
            below = c.get("document_below_physical_floor")
            ax.bar(n + width, c["document_s"], width, color="#fdae6b", hatch="//" if below else None,
                   label=label("document"))
    floor = summary.get("physical_floor_s")
    if floor:
        ax.axhline(floor, color="black", linestyle="--", linewidth=1, label="physical floor")
    ax.set_xticks(range(len(configurations)))
    ax.set_xticklabels([c["label"] for c in configurations], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("seconds, all N requests (makespan)")
    ax.set_title(f"{summary.get('scenario', '')}: measured vs model vs document "
                 "(hatched: below the physical floor)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    show(fig, name)
