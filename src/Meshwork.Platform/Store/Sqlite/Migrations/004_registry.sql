-- The schema registry (Confluent-compatible): schemas by global id, subjects' versions, compatibility and mode.
CREATE TABLE registry_schemas (
    id          INTEGER PRIMARY KEY,
    schema_type TEXT NOT NULL,               -- AVRO, JSON, PROTOBUF
    schema      TEXT NOT NULL,               -- as registered
    canonical   TEXT NOT NULL,               -- what identity is decided on
    refs        TEXT NOT NULL DEFAULT '[]',  -- JSON array of {name, subject, version}
    UNIQUE (schema_type, canonical, refs)
);

CREATE TABLE registry_versions (
    subject   TEXT NOT NULL,
    version   INTEGER NOT NULL,
    schema_id INTEGER NOT NULL REFERENCES registry_schemas (id),
    deleted   INTEGER NOT NULL DEFAULT 0,    -- soft-deleted: hidden, its number never reused
    PRIMARY KEY (subject, version)
);
CREATE INDEX registry_versions_by_schema ON registry_versions (schema_id);

CREATE TABLE registry_config (
    subject       TEXT PRIMARY KEY,          -- '' is the global default
    compatibility TEXT,
    mode          TEXT
);
