-- The applied mesh's files, so that a server serves and runs what was applied without the repository checkout.
-- Each content is kept once, by its SHA-256; each apply lists its files.
CREATE TABLE applied_contents (
    hash text PRIMARY KEY,
    content bytea NOT NULL
);

CREATE TABLE applied_meshes (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stamp text NOT NULL UNIQUE,
    origin text NOT NULL,
    applied_at timestamptz NOT NULL
);

CREATE TABLE applied_files (
    mesh bigint NOT NULL REFERENCES applied_meshes (seq) ON DELETE CASCADE,
    path text NOT NULL,
    hash text NOT NULL REFERENCES applied_contents (hash),
    PRIMARY KEY (mesh, path)
);

CREATE INDEX applied_files_hash ON applied_files (hash);
