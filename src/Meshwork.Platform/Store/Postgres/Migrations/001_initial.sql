-- The platform's metadata in PostgreSQL, in the meshwork schema: the tables of the SQLite store (its migrations 001 to
-- 005 in one), with PostgreSQL's types. Keys that are listed in order compare byte-wise (COLLATE "C"), as SQLite's
-- do, whatever the database's collation. A seq column keeps insertion order where rows share a timestamp.
CREATE TABLE products (
    key         text COLLATE "C" PRIMARY KEY,   -- domain.product
    product_id  text NOT NULL,                  -- the ODPS id
    owner_team  text,
    applied_at  timestamptz NOT NULL
);

CREATE TABLE ports (
    product_key text COLLATE "C" NOT NULL REFERENCES products (key),
    name        text COLLATE "C" NOT NULL,
    major       integer NOT NULL,
    version     text NOT NULL,
    contract_id text NOT NULL,
    status      text NOT NULL CHECK (status IN ('live', 'deprecated', 'dropped')),
    applied_at  timestamptz NOT NULL,
    sunset_at   timestamptz,
    PRIMARY KEY (product_key, name, major)
);

CREATE TABLE contract_versions (
    contract_id text NOT NULL,
    version     text NOT NULL,
    document    text NOT NULL,                  -- the (migrated) ODCS document as JSON, kept as written
    applied_at  timestamptz NOT NULL,
    PRIMARY KEY (contract_id, version)
);

CREATE TABLE datasets (
    address          text COLLATE "C" PRIMARY KEY,  -- domain.product.object_vN
    product_key      text NOT NULL REFERENCES products (key),
    port_name        text NOT NULL,
    major            integer NOT NULL,
    schema           text NOT NULL,             -- DatasetSchema as JSON: what consumers rely on
    current_snapshot text,                      -- the pointer readers follow
    published_at     timestamptz
);
CREATE INDEX datasets_by_product ON datasets (product_key);

CREATE TABLE snapshots (
    seq                 bigint GENERATED ALWAYS AS IDENTITY,
    address             text NOT NULL,
    snapshot            text NOT NULL,          -- folder, relative to the data folder
    run_id              text NOT NULL,
    rows                bigint NOT NULL,
    quarantine_snapshot text,
    quarantined         bigint NOT NULL,
    input_hash          text NOT NULL,          -- what the run read and ran: equal hashes mean nothing changed
    created_at          timestamptz NOT NULL,
    superseded_at       timestamptz,
    PRIMARY KEY (address, snapshot)
);

CREATE TABLE runs (
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    run_id      text PRIMARY KEY,
    product_key text COLLATE "C" NOT NULL,
    status      text COLLATE "C" NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    failure     text
);
CREATE INDEX runs_by_product ON runs (product_key, started_at);

-- Run leases held by a process instance (a random id, never the PID) and renewed by a heartbeat.
CREATE TABLE leases (
    product_key text COLLATE "C" PRIMARY KEY,
    owner       text NOT NULL,
    run_id      text NOT NULL,
    expires_at  timestamptz NOT NULL,
    instance    text,
    machine     text,
    pid         integer
);

CREATE TABLE check_results (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      text NOT NULL,
    address     text NOT NULL,
    name        text NOT NULL,
    metric      text NOT NULL,
    severity    text NOT NULL,
    status      text NOT NULL,
    value       numeric,                        -- exact: no floating-point drift
    message     text NOT NULL,
    checked_at  timestamptz NOT NULL
);
CREATE INDEX check_results_by_address ON check_results (address, checked_at);

CREATE TABLE lineage_edges (
    upstream   text COLLATE "C" NOT NULL,       -- a dataset address, or file:<path> for a source
    downstream text COLLATE "C" NOT NULL,       -- a product key
    port       text COLLATE "C" NOT NULL,       -- the input port
    PRIMARY KEY (upstream, downstream, port)
);

CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- Append-only and hash-chained; seq is given by the appender under the chain's lock, so it never skips.
CREATE TABLE audit_log (
    seq         bigint PRIMARY KEY,
    at          timestamptz NOT NULL,
    principal   text NOT NULL,
    action      text NOT NULL,
    resource    text NOT NULL,
    purpose     text,
    plan_digest text,
    rows        bigint,
    outcome     text NOT NULL,
    detail      text,
    prev_hash   text NOT NULL,
    hash        text NOT NULL
);

CREATE TABLE agreements (
    seq          bigint GENERATED ALWAYS AS IDENTITY,
    id           text PRIMARY KEY,
    consumer     text NOT NULL,
    dataset      text NOT NULL,
    purpose      text NOT NULL,
    columns      text,                          -- JSON array of column names; null: every column
    ends_on      date,                          -- last day it is active; null: until revoked
    status       text NOT NULL CHECK (status IN ('pending', 'active', 'rejected', 'revoked')),
    requested_at timestamptz NOT NULL,
    decided_by   text,
    decided_at   timestamptz,
    reason       text
);
CREATE INDEX agreements_by_dataset ON agreements (dataset, status);
CREATE INDEX agreements_by_consumer ON agreements (consumer, status);

CREATE TABLE registry_schemas (
    id          integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    schema_type text NOT NULL,                  -- AVRO, JSON, PROTOBUF
    schema      text NOT NULL,                  -- as registered
    canonical   text NOT NULL,                  -- what identity is decided on
    refs        text NOT NULL DEFAULT '[]'      -- JSON array of {name, subject, version}
);
-- A schema can outgrow a b-tree entry: identity is unique on digests (and compared in full on lookup).
CREATE UNIQUE INDEX registry_schemas_identity ON registry_schemas (schema_type, md5(canonical), md5(refs));

CREATE TABLE registry_versions (
    subject   text COLLATE "C" NOT NULL,
    version   integer NOT NULL,
    schema_id integer NOT NULL REFERENCES registry_schemas (id),
    deleted   boolean NOT NULL DEFAULT false,   -- soft-deleted: hidden, its number never reused
    PRIMARY KEY (subject, version)
);
CREATE INDEX registry_versions_by_schema ON registry_versions (schema_id);

CREATE TABLE registry_config (
    subject       text PRIMARY KEY,             -- '' is the global default
    compatibility text,
    mode          text
);
