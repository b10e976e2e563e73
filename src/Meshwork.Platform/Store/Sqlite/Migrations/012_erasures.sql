-- Erasure requests of data subjects (IErasureStore): the subject only as its keyed hash; every subject ever requested
-- is on the suppression list pipelines apply on write.
CREATE TABLE erasures (
    id TEXT PRIMARY KEY,
    subject_hash TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    requested_at TEXT NOT NULL,
    completed_at TEXT,
    report TEXT NOT NULL
);

CREATE INDEX erasures_subject ON erasures (subject_hash);
