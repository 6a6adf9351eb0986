"""token_file= and $PITR_TOKEN_FILE against a pitrd with --token_file: an
admin token writes, a read token reads (the database opens read-only), no
token cannot open. Prints one "name value" line per case.

Usage: tokens.py EXTENSION SERVER NAME ADMIN_TOKEN_FILE READ_TOKEN_FILE
"""
import os
import sqlite3
import sys

import pitrsql

extension, server, name, admin, read = sys.argv[1:6]
pitrsql.load(extension)


def attempt(label, sql, **params):
    try:
        db = pitrsql.connect(server, name, **params)
        rows = db.execute(sql).fetchall()
        print(label, "ok", rows, flush=True)
    except sqlite3.Error as e:
        print(label, str(e).replace(" ", "_"), flush=True)


attempt("admin_write", "CREATE TABLE t(v)", token_file=admin)
attempt("admin_insert", "INSERT INTO t VALUES (7)", token_file=admin)
attempt("read_select", "SELECT v FROM t", token_file=read)
attempt("read_insert", "INSERT INTO t VALUES (8)", token_file=read)
attempt("no_token", "SELECT v FROM t")
os.environ["PITR_TOKEN_FILE"] = read
attempt("env_select", "SELECT v FROM t")
