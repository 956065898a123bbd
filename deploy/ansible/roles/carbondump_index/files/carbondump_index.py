#!/usr/bin/env python3
"""Writes the index of one fleet collection: index.json and index.html.

    carbondump_index.py FETCH_ROOT

FETCH_ROOT holds results.json (what every host reported, written by the
carbondump_index role from the carbondump role's carbondump_report facts) and
one directory per host with the bundles fetched from it. The index has one row
per host and JVM: the bundle's path (relative to FETCH_ROOT), carbondump's exit
status, the top findings of the bundle's manifest.json, and, where something
went wrong, why: the JVM was gone, a section failed, carbondump could not run,
the host gave no result, or no Carbon JVM was found on it.

Standard library only: it runs with the Python that runs Ansible.
"""
import html
import json
import os
import sys
import zipfile

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
TOP_FINDINGS = 3


def bundle_facts(path):
    """The manifest's problem, failed sections and top findings, or why not."""
    try:
        with zipfile.ZipFile(path) as bundle:
            name = next(n for n in bundle.namelist() if n.endswith("/manifest.json"))
            manifest = json.loads(bundle.read(name))
    except (OSError, zipfile.BadZipFile, StopIteration, ValueError) as error:
        return {"bundle_problem": "cannot read manifest.json: %s" % error}
    findings = sorted(manifest.get("findings", []),
                      key=lambda f: SEVERITY_ORDER.get(f.get("severity"), len(SEVERITY_ORDER)))
    failed = [{"section": section, "reason": state.get("reason", "")}
              for section, state in manifest.get("sections", {}).items()
              if state.get("status") == "failed"]
    return {
        "target_problem": manifest.get("target", {}).get("problem"),
        "failed_sections": failed,
        "top_findings": [{"severity": f.get("severity"), "title": f.get("title")}
                         for f in findings[:TOP_FINDINGS]],
    }


def jvm_rows(host, report, fetch_root):
    """One row per JVM the host found, with what carbondump made of it."""
    rows = []
    runs = zip(report["jvms"], report["exit_statuses"], report["stdout"], report["stderr"],
               report.get("messages", [""] * len(report["jvms"])))
    for jvm, exit_status, stdout, stderr, message in runs:
        row = {"host": host, "carbon_home": jvm["carbon_home"], "pid": jvm["pid"],
               "jvm": jvm["state"], "carbondump_args": report["carbondump_args"],
               "exit_status": exit_status, "bundle": None}
        if exit_status in (0, 3) and stdout:
            bundle = os.path.join(report["fetched_to"], os.path.basename(stdout[-1]))
            row["bundle"] = bundle
            row.update(bundle_facts(os.path.join(fetch_root, bundle)))
        if jvm["state"] != "running":
            row["status"], row["reason"] = "jvm-gone", jvm["reason"]
        elif exit_status == 0:
            row["status"], row["reason"] = "ok", ""
        elif exit_status == 3:
            failed = row.get("failed_sections") or []
            row["status"] = "partial"
            row["reason"] = "; ".join("%s: %s" % (f["section"], f["reason"]) for f in failed) or \
                "some sections were skipped (see manifest.json)"
        else:
            row["status"] = "failed"
            row["reason"] = "\n".join(stderr[-3:]) or message or "exit status %s" % exit_status
        if row.get("bundle_problem"):
            row["reason"] = "; ".join(filter(None, [row["reason"], row["bundle_problem"]]))
        rows.append(row)
    return rows


def host_rows(entry, fetch_root):
    host, report = entry["host"], entry["report"]
    if report is None:
        return [{"host": host, "status": "no-result",
                 "reason": "no result: the host was unreachable, or a task failed before "
                           "carbondump ran (see Ansible's output)"}]
    if not report["jvms"]:
        return [{"host": host, "status": "no-jvm",
                 "reason": "no running JVM with -Dcarbon.home was found on the host"}]
    return jvm_rows(host, report, fetch_root)


def write_html(index, path):
    def cell(text):
        return "<td>%s</td>" % html.escape("" if text is None else str(text))

    lines = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>carbondump %s</title>" % html.escape(index["run_id"]),
             "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
             "td,th{border:1px solid #999;padding:4px;vertical-align:top;text-align:left}"
             ".ok{background:#dfd}.partial{background:#ffd}.jvm-gone,.failed,.no-result,"
             ".no-jvm{background:#fdd}</style></head><body>",
             "<h1>carbondump collection %s</h1>" % html.escape(index["run_id"]),
             "<p>%s</p>" % "<br>".join(html.escape("carbondump " + " ".join(args))
                                       for args in sorted({tuple(row.get("carbondump_args", []))
                                                           for row in index["rows"]
                                                           if "carbondump_args" in row})),
             "<table><tr><th>host</th><th>status</th><th>why</th><th>CARBON_HOME</th>"
             "<th>pid</th><th>exit status</th><th>bundle</th><th>top findings</th></tr>"]
    for row in index["rows"]:
        bundle = row.get("bundle")
        link = '<td><a href="%s">%s</a></td>' % (html.escape(bundle), html.escape(bundle)) \
            if bundle else "<td></td>"
        findings = "<br>".join("%s: %s" % (html.escape(f["severity"] or ""),
                                           html.escape(f["title"] or ""))
                               for f in row.get("top_findings", []))
        lines.append('<tr class="%s">%s%s%s%s%s%s%s<td>%s</td></tr>' % (
            html.escape(row["status"]), cell(row["host"]), cell(row["status"]),
            cell(row.get("reason")), cell(row.get("carbon_home")), cell(row.get("pid")),
            cell(row.get("exit_status")), link, findings))
    lines.append("</table></body></html>")
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: carbondump_index.py FETCH_ROOT\n")
        return 1
    fetch_root = argv[1]
    with open(os.path.join(fetch_root, "results.json"), encoding="utf-8") as results_file:
        results = json.load(results_file)
    index = {"run_id": results["run_id"],
             "rows": [row for entry in results["hosts"] for row in host_rows(entry, fetch_root)]}
    with open(os.path.join(fetch_root, "index.json"), "w", encoding="utf-8") as out:
        json.dump(index, out, indent=2)
        out.write("\n")
    write_html(index, os.path.join(fetch_root, "index.html"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
