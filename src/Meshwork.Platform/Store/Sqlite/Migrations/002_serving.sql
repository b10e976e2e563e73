-- Serving: which repository was applied last, runs by product, and the audit log of reads and decisions.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE INDEX runs_by_product ON runs (product_key, started_at);

-- Append-only and hash-chained: each record's hash covers its fields and the previous record's hash.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    principal   TEXT NOT NULL,
    action      TEXT NOT NULL,               -- read, query, decision ...
    resource    TEXT NOT NULL,               -- dataset addresses, comma separated
    purpose     TEXT,
    plan_digest TEXT,
    rows        INTEGER,
    outcome     TEXT NOT NULL,               -- allowed, denied, refused, failed
    detail      TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
