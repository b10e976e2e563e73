-- Grains' persisted state (Orleans' grain storage, IGrainStateStore): a row per grain and state name, written by etag.
CREATE TABLE grain_state (
    grain text NOT NULL,
    name text NOT NULL,
    state text NOT NULL,
    etag text NOT NULL,
    PRIMARY KEY (grain, name)
);
