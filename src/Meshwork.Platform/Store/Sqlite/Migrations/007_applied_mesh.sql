-- The applied mesh's files, so that a server serves and runs what was applied without the repository checkout.
-- Each content is kept once, by its SHA-256; each apply lists its files.
CREATE TABLE applied_contents (
    hash TEXT PRIMARY KEY,
    content BLOB NOT NULL
);

CREATE TABLE applied_meshes (
    seq INTEGER PRIMARY KEY,
    stamp TEXT NOT NULL UNIQUE,
    origin TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

CREATE TABLE applied_files (
    mesh INTEGER NOT NULL REFERENCES applied_meshes (seq) ON DELETE CASCADE,
    path TEXT NOT NULL,
    hash TEXT NOT NULL REFERENCES applied_contents (hash),
    PRIMARY KEY (mesh, path)
);

CREATE INDEX applied_files_hash ON applied_files (hash);
