#!/usr/bin/python3
"""Every figure is computed once, where a run ends or a folder is read back (measure_figures in
lab/figures/figure_value.cpp), and kept in the result: lab/report and lab/cli only read it. A call
there of a function that computes a figure, a model or a floor is a second definition of it, which
may disagree with the first (as `lab diff` did, with the scenario's load for each row's own).

    /usr/bin/python3 tests/figures_once.py [CHECKOUT]    # exit 1 and a line per call found
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from function_length import code_of  # noqa: E402 (comments and strings blanked)

COMPUTING = ["figure_value", "load_figures", "open_loop_summary", "model_of", "model_makespan_s",
             "predicted_makespan_s", "predicted_finishes_s", "open_loop_p99_model",
             "physical_floor_s", "physical_floor_reason", "document_below_floor", "workload_of"]
call = re.compile(r"(?<![\w.>])(" + "|".join(COMPUTING) + r")\s*\(")

found = []
for folder in ("lab/report", "lab/cli"):
    for path in sorted((root / folder).glob("**/*.[ch]pp")):
        for number, line in enumerate(code_of(path.read_text()).splitlines(), 1):
            for m in call.finditer(line):
                found.append(f"{path.relative_to(root)}:{number}: calls {m.group(1)}(): read "
                             "the figure the result keeps (lab/figures/figure_value.hpp)")
print("\n".join(found) if found else "no figure computed outside lab/figures/figure_value.cpp")
sys.exit(1 if found else 0)
