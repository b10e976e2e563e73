-- A cluster's membership (Orleans' membership protocol, IClusterMembership): one version per cluster and one row
-- per node; every change of the view names the etags it read.
CREATE TABLE cluster_versions (
    cluster_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    etag TEXT NOT NULL
);

CREATE TABLE cluster_members (
    cluster_id TEXT NOT NULL REFERENCES cluster_versions (cluster_id) ON DELETE CASCADE,
    node TEXT NOT NULL,
    status TEXT NOT NULL,
    i_am_alive TEXT NOT NULL,
    entry TEXT NOT NULL,
    etag TEXT NOT NULL,
    PRIMARY KEY (cluster_id, node)
);
