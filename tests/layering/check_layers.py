#!/usr/bin/env python3
"""Checks that the source tree has the shape docs/architecture.md gives it.

The document's ```layers block lists every source folder with its rank: a
stage of the data flow, higher ranks built on lower ones. Over the C files
of agent/, collector/, common/ and include/ this checks that
  - every C file lives in a listed folder, and every listed folder exists;
  - a file includes headers of its own folder or of folders of lower rank
    only: never of a higher stage, never of a sibling of the same rank (so no
    two folders include each other);
  - the files of one folder include each other without a circle;
  - every function a header declares is defined in that header's folder, so
    that no lower stage can reach a higher one behind a declaration;
  - no C files call each other's functions round a circle (a header shared
    by several files would hide such a circle from the includes);
  - no file calls a C library function that keeps hidden state between calls
    (strtok, localtime, getpwuid ...): the collector's sections and the
    agent's requests run on threads side by side, so each needs its _r twin;
  - every file opens with a comment saying what it is for, and every function
    a header declares has its contract in a comment above it (one comment may
    serve a group of declarations that follow it without a blank line).

usage: check_layers.py SOURCE_DIR [DOC]
Prints one line per problem and exits 1 when there is any, else prints a
summary and exits 0.
"""
import os
import re
import sys

COMPONENT_ROOTS = ("agent", "collector")  # where folder-qualified includes resolve
PUBLIC_HEADERS = "include"  # "carbondump/x.h" lives in include/, part of common/


def read_layers(doc_path):
    """{folder: rank} from the ```layers block: lines "folder/  rank  words"."""
    text = open(doc_path, encoding="utf-8").read()
    block = re.search(r"^```layers\n(.*?)^```", text, re.M | re.S)
    if not block:
        sys.exit(f"{doc_path}: no ```layers block")
    layers = {}
    for line in block.group(1).splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0].endswith("/") and fields[1].isdigit():
            layers[fields[0].rstrip("/")] = int(fields[1])
    return layers


def source_files(root):
    for top in COMPONENT_ROOTS + ("common", PUBLIC_HEADERS):
        for d, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(d, name), root)


def folder_of(path):
    """The layer a file belongs to: its directory, with include/ counted as common/."""
    d = os.path.dirname(path)
    return "common" if d == PUBLIC_HEADERS or d.startswith(PUBLIC_HEADERS + "/") else d


def module_of(path):
    """A file's module: its folder and name without extension, so that x.h
    and x.c (also include/carbondump/x.h and common/x.c) are one node."""
    return folder_of(path) + "/" + os.path.splitext(os.path.basename(path))[0]


def resolve(root, including, name):
    """The tree path of a quoted include as the compiler finds it, or None
    (a generated header such as carbondump/version.h)."""
    candidates = [os.path.join(os.path.dirname(including), name)]
    component = including.split("/")[0]
    if component in COMPONENT_ROOTS:
        candidates.append(os.path.join(component, name))
    candidates.append(os.path.join(PUBLIC_HEADERS, name))
    for c in candidates:
        c = os.path.normpath(c)
        if os.path.isfile(os.path.join(root, c)):
            return c
    return None


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


DECLARATION = re.compile(r"^[A-Za-z_][\w \t\*]*?\b(cd_\w+)\s*\([^;{}]*\)\s*(?:__attribute__\s*\(\(.*?\)\)\s*)?;",
                         re.M | re.S)
DEFINITION = re.compile(r"^(?!return\b)[A-Za-z_][\w \t\*]*?\b(cd_\w+)\s*\([^;{}]*\)\s*\{", re.M | re.S)


def cycles(nodes, edges):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return found


def undocumented_declarations(raw_text):
    """Names of functions declared without a comment right above them (or
    above the group of declarations they belong to)."""
    lines = raw_text.split("\n")
    missing = []
    for i, line in enumerate(lines):
        m = re.match(r"^[A-Za-z_][\w \t\*]*?\b(cd_\w+)\s*\(", line)
        if not m or line.startswith(("typedef", "#", "return")):
            continue
        j = i - 1
        while j >= 0 and lines[j].strip() and not lines[j].rstrip().endswith("*/"):
            j -= 1
        if j < 0 or not lines[j].rstrip().endswith("*/"):
            missing.append(m.group(1))
    return missing


# C library functions whose state is shared by all threads, each with a _r twin.
SHARED_STATE_CALL = re.compile(
    r"(?<![\w.>])(strtok|localtime|gmtime|ctime|asctime|getpwuid|getpwnam|getgrgid|getgrnam|"
    r"strsignal|ttyname|gethostbyname)\s*\(")


def check(root, doc_path):
    layers = read_layers(doc_path)
    problems = []
    files = list(source_files(root))
    for folder in sorted(layers):
        if not os.path.isdir(os.path.join(root, folder)):
            problems.append(f"{folder}/: listed in {os.path.basename(doc_path)} but not in the tree")
    texts = {}
    for path in files:
        folder = folder_of(path)
        if folder not in layers:
            problems.append(f"{path}: folder {folder}/ is not listed in {os.path.basename(doc_path)}")
            continue
        raw = open(os.path.join(root, path), encoding="utf-8", errors="replace").read()
        texts[path] = strip_comments(raw)
        if not raw.startswith("/*"):
            problems.append(f"{path}: does not open with a comment saying what it is for")
        for m in SHARED_STATE_CALL.finditer(re.sub(r'"(?:\\.|[^"\\\n])*"', '""', texts[path])):
            problems.append(f"{path}: calls {m.group(1)}, whose state all threads share "
                            f"(use {m.group(1)}_r)")
        if path.endswith(".h"):
            for name in undocumented_declarations(raw):
                problems.append(f"{path}: declares {name} without a contract comment above it")

    # includes: direction between folders, circles inside one
    module_edges = {}
    include_count = 0
    for path, text in texts.items():
        folder = folder_of(path)
        for m in re.finditer(r'^\s*#\s*include\s+"([^"]+)"', text, re.M):
            target = resolve(root, path, m.group(1))
            if target is None or target not in texts:
                continue
            include_count += 1
            tfolder = folder_of(target)
            if tfolder == folder:
                a, b = module_of(path), module_of(target)
                if a != b:
                    module_edges.setdefault(a, set()).add(b)
            elif layers[tfolder] > layers[folder]:
                problems.append(f"{path}: includes {target} of a higher stage "
                                f"({tfolder}/ rank {layers[tfolder]} > {folder}/ rank {layers[folder]})")
            elif layers[tfolder] == layers[folder]:
                problems.append(f"{path}: includes {target} of a sibling stage "
                                f"({tfolder}/ and {folder}/ both rank {layers[folder]})")
    for component in cycles(set(module_edges) | {b for s in module_edges.values() for b in s}, module_edges):
        problems.append("include circle among: " + ", ".join(component))

    # declarations live with their definitions
    defined_in = {}
    defined_at = {}
    for path, text in texts.items():
        if path.endswith(".c"):
            for m in DEFINITION.finditer(text):
                defined_in.setdefault(m.group(1), set()).add(folder_of(path))
                defined_at.setdefault(m.group(1), path)
    declared = 0
    for path, text in texts.items():
        if not path.endswith(".h"):
            continue
        for m in DECLARATION.finditer(text):
            name = m.group(1)
            folders = defined_in.get(name)
            declared += 1
            if folders and folder_of(path) not in folders:
                problems.append(f"{path}: declares {name}, which is defined in "
                                f"{', '.join(sorted(f + '/' for f in folders))}")
    # calls between C files: no circles
    call_edges = {}
    for path, text in texts.items():
        if not path.endswith(".c"):
            continue
        for m in re.finditer(r"\b(cd_\w+)\s*\(", text):
            target = defined_at.get(m.group(1))
            if target and target != path:
                call_edges.setdefault(path, set()).add(target)
    for component in cycles(set(call_edges) | {b for s in call_edges.values() for b in s}, call_edges):
        problems.append("call circle among: " + ", ".join(component))
    return problems, len(texts), include_count, declared


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = sys.argv[1]
    doc = sys.argv[2] if len(sys.argv) == 3 else os.path.join(root, "docs", "architecture.md")
    problems, file_count, include_count, declared = check(root, doc)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} layering problem(s); docs/architecture.md says how the tree is laid out")
        return 1
    print(f"layers ok: {file_count} files, {include_count} includes, {declared} declarations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
