-- Durable reminders (Orleans' reminder service, IReminderStore): a row per grain and name, with the grain's hash on the ring.
CREATE TABLE reminders (
    grain TEXT NOT NULL,
    name TEXT NOT NULL,
    hash INTEGER NOT NULL,
    start_at TEXT NOT NULL,
    period_ticks INTEGER NOT NULL,
    etag TEXT NOT NULL,
    PRIMARY KEY (grain, name)
);

CREATE INDEX reminders_by_hash ON reminders (hash);
