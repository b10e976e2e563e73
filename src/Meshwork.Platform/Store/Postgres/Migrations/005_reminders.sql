-- Durable reminders (Orleans' reminder service, IReminderStore): a row per grain and name, with the grain's hash on the ring.
CREATE TABLE reminders (
    grain text NOT NULL,
    name text NOT NULL,
    hash bigint NOT NULL,
    start_at timestamptz NOT NULL,
    period_ticks bigint NOT NULL,
    etag text NOT NULL,
    PRIMARY KEY (grain, name)
);

CREATE INDEX reminders_by_hash ON reminders (hash);
