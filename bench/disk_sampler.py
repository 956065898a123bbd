#!/usr/bin/env python3
"""Disk use of a tool's output while it runs, for bench/full_bundle.sh.

    disk_sampler.py INTERVAL_MS RESULT PATTERN...

Every INTERVAL_MS it expands the glob PATTERNs (a pattern can name a directory
that does not exist yet, or one that a run creates under a name it chooses)
and adds up the disk blocks (st_blocks, so what the files really occupy, not
their apparent size) of every regular file beneath them, without following
links. It also looks at the first bytes of each file once it has some: a file
that starts with "JAVA PROFILE" is an uncompressed HPROF heap dump, whatever
its name (a gzip-compressed one starts with 1f 8b).

On SIGTERM or SIGINT it writes one line to RESULT and exits:

    peak_bytes samples uncompressed_heap_peak_bytes uncompressed_heap_path

with "-" for the path when no uncompressed heap dump was ever seen. A file
that vanishes between listing and stat is simply not counted in that sample.
"""

import glob
import os
import signal
import stat
import sys
import time

HPROF_MAGIC = b"JAVA PROFILE"

stopping = False


def stop(signum, frame):
    global stopping
    stopping = True


def files_beneath(root):
    """Yields (path, lstat) of the regular files at or below root."""
    try:
        st = os.lstat(root)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode):
        yield root, st
        return
    if not stat.S_ISDIR(st.st_mode):
        return
    pending = [root]
    while pending:
        directory = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                pending.append(entry.path)
            elif stat.S_ISREG(st.st_mode):
                yield entry.path, st


def starts_with_hprof(path):
    try:
        with open(path, "rb") as f:
            return f.read(len(HPROF_MAGIC)) == HPROF_MAGIC
    except OSError:
        return None


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: disk_sampler.py INTERVAL_MS RESULT PATTERN...")
    interval_s = int(sys.argv[1]) / 1000.0
    result_path = sys.argv[2]
    patterns = sys.argv[3:]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    # (path, device, inode) -> whether the file is an uncompressed heap dump;
    # a file's first bytes are read once, as soon as it has enough of them.
    # The path is in the key because a deleted file's inode is reused.
    verdicts = {}
    peak_bytes = 0
    heap_peak_bytes = 0
    heap_path = "-"
    samples = 0
    next_sample = time.monotonic()
    while not stopping:
        total = 0
        roots = set()
        for pattern in patterns:
            roots.update(glob.glob(pattern))
        for root in roots:
            for path, st in files_beneath(root):
                total += st.st_blocks * 512
                key = (path, st.st_dev, st.st_ino)
                if key not in verdicts and st.st_size >= len(HPROF_MAGIC):
                    verdict = starts_with_hprof(path)
                    if verdict is not None:
                        verdicts[key] = verdict
                if verdicts.get(key) and st.st_blocks * 512 > heap_peak_bytes:
                    heap_peak_bytes = st.st_blocks * 512
                    heap_path = path
        peak_bytes = max(peak_bytes, total)
        samples += 1
        next_sample += interval_s
        delay = next_sample - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            next_sample = time.monotonic()  # fell behind: no burst to catch up
    with open(result_path, "w") as f:
        f.write(f"{peak_bytes} {samples} {heap_peak_bytes} {heap_path}\n")


if __name__ == "__main__":
    main()
