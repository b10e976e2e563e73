-- The platform's metadata: applied state, dataset pointers, runs, leases, checks, lineage.
CREATE TABLE products (
    key         TEXT PRIMARY KEY,            -- domain.product
    product_id  TEXT NOT NULL,               -- the ODPS id
    owner_team  TEXT,
    applied_at  TEXT NOT NULL
);

CREATE TABLE ports (
    product_key TEXT NOT NULL REFERENCES products (key),
    name        TEXT NOT NULL,
    major       INTEGER NOT NULL,
    version     TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('live', 'deprecated', 'dropped')),
    applied_at  TEXT NOT NULL,
    sunset_at   TEXT,
    PRIMARY KEY (product_key, name, major)
);

CREATE TABLE contract_versions (
    contract_id TEXT NOT NULL,
    version     TEXT NOT NULL,
    document    TEXT NOT NULL,               -- the (migrated) ODCS document as JSON
    applied_at  TEXT NOT NULL,
    PRIMARY KEY (contract_id, version)
);

CREATE TABLE datasets (
    address          TEXT PRIMARY KEY,       -- domain.product.object_vN
    product_key      TEXT NOT NULL REFERENCES products (key),
    port_name        TEXT NOT NULL,
    major            INTEGER NOT NULL,
    schema           TEXT NOT NULL,          -- DatasetSchema as JSON: what consumers rely on
    current_snapshot TEXT,                   -- the pointer readers follow
    published_at     TEXT
);

CREATE TABLE snapshots (
    address             TEXT NOT NULL,
    snapshot            TEXT NOT NULL,       -- folder, relative to the data folder
    run_id              TEXT NOT NULL,
    rows                INTEGER NOT NULL,
    quarantine_snapshot TEXT,
    quarantined         INTEGER NOT NULL,
    input_hash          TEXT NOT NULL,       -- what the run read and ran: equal hashes mean nothing changed
    created_at          TEXT NOT NULL,
    superseded_at       TEXT,
    PRIMARY KEY (address, snapshot)
);

CREATE TABLE runs (
    run_id      TEXT PRIMARY KEY,
    product_key TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    failure     TEXT
);

CREATE TABLE leases (
    product_key TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    run_id      TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

CREATE TABLE check_results (
    run_id      TEXT NOT NULL,
    address     TEXT NOT NULL,
    name        TEXT NOT NULL,
    metric      TEXT NOT NULL,
    severity    TEXT NOT NULL,
    status      TEXT NOT NULL,
    value       TEXT,                        -- decimal as text: no floating-point drift
    message     TEXT NOT NULL,
    checked_at  TEXT NOT NULL
);
CREATE INDEX check_results_by_address ON check_results (address, checked_at);

CREATE TABLE lineage_edges (
    upstream   TEXT NOT NULL,                -- a dataset address, or file:<path> for a source
    downstream TEXT NOT NULL,                -- a product key
    port       TEXT NOT NULL,                -- the input port
    PRIMARY KEY (upstream, downstream, port)
);
