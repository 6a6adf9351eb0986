"""Readers while a writer commits: a writer process commits TXNS
transactions of ROWS rows each; meanwhile this process counts the rows over
and over (each count must be a multiple of ROWS: no partial transaction),
and one read transaction held open across the writer's commits must see
the same count throughout (a consistent snapshot). Prints "reads R
distinct D snapshot_stable yes".

Usage: readers.py EXTENSION SERVER NAME TXNS ROWS
"""
import subprocess
import sys

import pitrsql

extension, server, name = sys.argv[1:4]
txns, rows = int(sys.argv[4]), int(sys.argv[5])
pitrsql.load(extension)

if txns == 0:  # the writer
    db = pitrsql.connect(server, name)
    for _ in range(int(sys.argv[6])):
        db.execute("BEGIN")
        for _ in range(rows):
            db.execute("INSERT INTO r(x) VALUES (randomblob(300))")
        db.execute("COMMIT")
    sys.exit(0)

reader = pitrsql.connect(server, name)
reader.execute("CREATE TABLE r(i INTEGER PRIMARY KEY, x BLOB)")
snapshot = pitrsql.connect(server, name)
snapshot.execute("BEGIN")
first = snapshot.execute("SELECT count(*) FROM r").fetchone()[0]
writer = subprocess.Popen([sys.executable] + sys.argv[:4] +
                          ["0", str(rows), str(txns)])
seen = set()
reads = 0
stable = True
while writer.poll() is None:
    count = reader.execute("SELECT count(*) FROM r").fetchone()[0]
    if count % rows != 0:
        sys.exit("read %d rows: part of a transaction" % count)
    seen.add(count)
    reads += 1
    stable &= snapshot.execute("SELECT count(*) FROM r").fetchone()[0] == first
snapshot.execute("COMMIT")
if writer.returncode != 0:
    sys.exit("the writer failed")
final = reader.execute("SELECT count(*) FROM r").fetchone()[0]
if final != txns * rows:
    sys.exit("%d rows at the end, not %d" % (final, txns * rows))
print("reads %d distinct %d snapshot_stable %s" %
      (reads, len(seen), "yes" if stable else "no"))
