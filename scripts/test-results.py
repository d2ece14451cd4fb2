#!/usr/bin/env python3
"""Judges a scripts/test.sh run from the .trx files it wrote (one directory per test project), not from console text.

  test-results.py RESULTS_DIR [--strict] [--expect-tests]

--strict (test.sh passes it as root): any skipped test fails the run, except the opt-in benchmarks, whose skip reason is
exactly BENCHMARK_SKIP ([BenchmarkFact] in tests/Mesh.Testing). --expect-tests: a project that ran no test at all
fails (discovery broke). A run the test host did not finish (crash, --blame-hang-timeout) always fails, naming the test
that was running. Prints the skipped tests with their reasons, the failed ones, and last the closing line
"tests: N passed, M failed, K skipped". Exit status 0 only when nothing above went wrong.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET

BENCHMARK_SKIP = "benchmark: run with MESH_BENCH=1"
NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def text(node, path):
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def main(argv):
    results, strict, expect = argv[0], "--strict" in argv, "--expect-tests" in argv
    passed, failed, allowed_skips, bad_skips, problems = [], [], [], [], []
    for project_dir in sorted(d for d in glob.glob(os.path.join(results, "*")) if os.path.isdir(d)):
        project = os.path.basename(project_dir)
        trx_files = glob.glob(os.path.join(project_dir, "*.trx"))
        if not trx_files:
            problems.append(f"{project}: no test results written (build or test host failure; see the log above)")
            continue
        ran = 0
        for trx in trx_files:
            root = ET.parse(trx).getroot()
            for result in root.iterfind(".//t:Results/t:UnitTestResult", NS):
                ran += 1
                name, outcome = result.get("testName"), result.get("outcome")
                if outcome == "Passed":
                    passed.append(name)
                elif outcome == "NotExecuted":
                    reason = text(result, "t:Output/t:ErrorInfo/t:Message") or "(no reason given)"
                    (allowed_skips if reason == BENCHMARK_SKIP or not strict else bad_skips).append((project, name, reason))
                else:
                    failed.append((project, name, outcome, text(result, "t:Output/t:ErrorInfo/t:Message").split("\n")[0]))
            for info in root.iterfind(".//t:ResultSummary/t:RunInfos/t:RunInfo", NS):
                if info.get("outcome") == "Error":
                    problems.append(f"{project}: {text(info, 't:Text')}")
        # The blame collector's sequence file (written once per run, copied into the .trx's folder too) names a test
        # that started and never finished: it hung past --blame-hang-timeout or the host crashed under it. It counts as failed.
        unfinished = {}
        for sequence in sorted(glob.glob(os.path.join(project_dir, "**", "Sequence_*.xml"), recursive=True)):
            for test in ET.parse(sequence).getroot().iterfind("Test"):
                if test.get("Completed") == "False" and test.get("Name") not in unfinished:
                    dumps = glob.glob(os.path.join(os.path.dirname(sequence), "*.dmp"))
                    unfinished[test.get("Name")] = f" (dump: {dumps[0]})" if dumps else ""
        for name, dump in unfinished.items():
            failed.append((project, name, "never finished", "hung or crashed the test host" + dump))
        if expect and ran == 0:
            problems.append(f"{project}: no test ran")

    if allowed_skips:
        label = "opt-in benchmarks" if strict else "not root: skips are reported, not enforced"
        print(f"skipped ({label}):")
        for project, name, reason in allowed_skips:
            print(f"  {name} — {reason}")
    if bad_skips:
        print("SKIPPED, which fails the run as root (only [BenchmarkFact] tests may skip; install what is missing):")
        for project, name, reason in bad_skips:
            print(f"  {name} — {reason}")
    if failed:
        print("FAILED:")
        for project, name, outcome, message in failed:
            print(f"  {name} ({outcome}) — {message}")
    for problem in problems:
        print(f"ERROR {problem}")
    skipped = len(allowed_skips) + len(bad_skips)
    print(f"tests: {len(passed)} passed, {len(failed)} failed, {skipped} skipped")
    return 1 if failed or bad_skips or problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
