#!/usr/bin/python3
"""Each verdict `lab doctor` prints, held to the figures of its own row: a route is never said to
leave the loop free (or to be concurrent) beside its own row's loop held past the threshold, nor
said to hold it beside a row that shows no hold; it is judged only beside a verdict, and not judged
only with a reason; every culprit has its fix. All routes at once, no route's hold is said shorter
than the others' wait behind it, nor than its own waits for the GIL in it. Ramped, no route's
measured ceiling passes its model's (the limit it names over the time each request takes it) by
more than 10 %.

    /usr/bin/python3 tests/doctor_consistency.py FILE...   # each `lab doctor --format json`'s output

The doctor corpus (doctor_corpus_test.py) and every doctor run of the C++ tests (doctor_test.cpp)
check their outputs here. Exit 0: none contradicts its row; 1: each contradiction on a line.
"""
import json
import sys

FREE = ("concurrent", "instant: too fast to tell", "leaves the loop free, computes under the GIL")
# The verdicts of the loop held, and the figure of its row each is read from (judge.cpp)
HOLDS = ("holds the loop waiting", "holds the loop computing", "holds the loop after its answer")


def contradictions(report):
    """Each route's verdict against its own row: a list of what contradicts, empty when none."""
    doctor = report["doctor"]
    hold, said = doctor["hold_ms"], []
    for r in doctor["routes"]:
        name, verdict = f"{r['method']} {r['path']}", r.get("verdict")
        if r["judged"] != (verdict not in (None, "not judged")):
            said.append(f"{name}: judged {r['judged']} beside the verdict {verdict!r}")
        if not r["judged"]:
            if not r.get("why_not"):
                said.append(f"{name}: not judged, and no reason said")
            continue
        held, longest, where = r["loop_held_ms_median"], r["longest_hold_ms"], r["where"]
        own = r.get("longest_own_ms", longest)  # (less what the machine kept it queued)
        located = own >= hold and bool(where)  # one hold of its own past the threshold, its line known
        gil = max(r.get("longest_gil_ms", -1), longest)
        culprit = verdict.startswith("holds the loop") or verdict == "kept the bystander waiting"
        row = f"(held {held} ms a request, longest {longest} ms at {where!r}, longest wait for the GIL {gil} ms)"
        if verdict in FREE and (held >= hold or located):
            said.append(f"{name}: {verdict!r} beside the loop held past {hold} ms {row}")
        if verdict == FREE[2] and gil >= hold:
            said.append(f"{name}: {verdict!r} beside a wait for the GIL past {hold} ms {row}")
        if verdict in HOLDS and not (held >= hold or located):
            said.append(f"{name}: {verdict!r} beside no hold past {hold} ms {row}")
        if verdict == "holds the loop in slices" and held < hold:
            said.append(f"{name}: {verdict!r} beside slices adding up to less than {hold} ms {row}")
        if verdict == "holds the loop waiting for the GIL" and longest < hold:  # (the row shows it)
            said.append(f"{name}: {verdict!r} beside a longest hold, its waits for the GIL in it, "
                        f"under {hold} ms {row}")
        if r["over_threshold"] != culprit:
            said.append(f"{name}: over_threshold {r['over_threshold']} beside {verdict!r}")
        if culprit and not r.get("fix"):
            said.append(f"{name}: {verdict!r} with no fix")
        if r.get("first_call_hold_ms", -1) >= 0 and culprit:
            said.append(f"{name}: a first call's hold said beside {verdict!r}: a burst held it too")
        if not r["said"].startswith(verdict):
            said.append(f"{name}: said {r['said']!r}, not its verdict {verdict!r}")
        model, measured = r.get("ceiling_model_rps", -1), r.get("ceiling_rps", -1)
        if model > 0 and measured > 1.1 * model:  # (--ramp: the model's ceiling is its limit's)
            said.append(f"{name}: measured {measured} a second past its ceiling, {model} (more than 10 %)")
    return said + mixed_contradictions(doctor)


def mixed_contradictions(doctor):
    """All routes at once: no route's holds kept the others waiting longer than it held the loop,
    and its waits for the GIL are part of that hold (0.05 ms: the probe's stamps are whole µs)."""
    said = []
    for m in doctor.get("mixed", []):
        held, waited, gil = m["loop_held_ms"], m["others_waited_ms"], m["gil_wait_ms"]
        if waited > held + 0.05:
            said.append(f"{m['route']} among the others: they waited {waited} ms each behind it, "
                        f"more than it held the loop ({held} ms)")
        if gil > held + 0.05:
            said.append(f"{m['route']} among the others: waited {gil} ms for the GIL holding the loop "
                        f"{held} ms in all")
    return said


def main(files):
    found = [f"{file}: {c}" for file in files for c in contradictions(json.load(open(file, encoding="utf-8")))]
    print("\n".join(found) or f"{len(files)} doctor outputs: every verdict as its row says")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
