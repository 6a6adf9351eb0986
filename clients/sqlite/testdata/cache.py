"""The page cache across transactions and the read-ahead of scans. Prints
pitr_stats() deltas as "<phase> key=value..." lines.

Usage: cache.py EXTENSION SERVER NAME
"""
import sys

import pitrsql

extension, server, name = sys.argv[1:4]
pitrsql.load(extension)
writer = pitrsql.connect(server, name)
writer.execute("CREATE TABLE t(i INTEGER PRIMARY KEY, x BLOB)")
writer.execute("BEGIN")
for _ in range(2000):
    writer.execute("INSERT INTO t(x) VALUES (randomblob(1000))")
writer.execute("COMMIT")

reader = pitrsql.connect(server, name)
last = {}


def phase(label):
    global last
    text = reader.execute("SELECT pitr_stats()").fetchone()[0]
    now = dict((k, int(v)) for k, v in (w.split("=") for w in text.split()))
    print(label, " ".join("%s=%d" % (k, now[k] - last.get(k, 0))
                          for k in sorted(now)), flush=True)
    last = now


phase("open")
reader.execute("SELECT sum(length(x)) FROM t").fetchone()
phase("scan")
reader.execute("SELECT sum(length(x)) FROM t").fetchone()
phase("unchanged")
writer.execute("UPDATE t SET x = randomblob(1000) WHERE i = 1000")
reader.execute("SELECT sum(length(x)) FROM t").fetchone()
phase("one_row_changed")
