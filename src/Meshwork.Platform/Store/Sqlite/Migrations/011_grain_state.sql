-- Grains' persisted state (Orleans' grain storage, IGrainStateStore): a row per grain and state name, written by etag.
CREATE TABLE grain_state (
    grain TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    etag TEXT NOT NULL,
    PRIMARY KEY (grain, name)
);
