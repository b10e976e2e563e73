-- Access agreements: a consumer's request for a dataset with a purpose, decided by policy or by the owning team.
CREATE TABLE agreements (
    id           TEXT PRIMARY KEY,
    consumer     TEXT NOT NULL,              -- a principal id
    dataset      TEXT NOT NULL,              -- the dataset address
    purpose      TEXT NOT NULL,
    columns      TEXT,                       -- JSON array of column names; null: every column
    ends_on      TEXT,                       -- last day it is active (yyyy-MM-dd); null: until revoked
    status       TEXT NOT NULL CHECK (status IN ('pending', 'active', 'rejected', 'revoked')),
    requested_at TEXT NOT NULL,
    decided_by   TEXT,                       -- a principal id, or policy:<name>
    decided_at   TEXT,
    reason       TEXT
);
CREATE INDEX agreements_by_dataset ON agreements (dataset, status);
CREATE INDEX agreements_by_consumer ON agreements (consumer, status);
