-- Erasure requests of data subjects (IErasureStore): the subject only as its keyed hash; every subject ever requested
-- is on the suppression list pipelines apply on write.
CREATE TABLE erasures (
    id text PRIMARY KEY,
    subject_hash text NOT NULL,
    reason text NOT NULL,
    requested_by text NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    requested_at timestamptz NOT NULL,
    completed_at timestamptz,
    report text NOT NULL
);

CREATE INDEX erasures_subject ON erasures (subject_hash);
