-- A cluster's membership (Orleans' membership protocol, IClusterMembership): one version per cluster and one row
-- per node; every change of the view names the etags it read.
CREATE TABLE cluster_versions (
    cluster_id text PRIMARY KEY,
    version integer NOT NULL,
    etag text NOT NULL
);

CREATE TABLE cluster_members (
    cluster_id text NOT NULL REFERENCES cluster_versions (cluster_id) ON DELETE CASCADE,
    node text NOT NULL,
    status text NOT NULL,
    i_am_alive timestamptz NOT NULL,
    entry text NOT NULL,
    etag text NOT NULL,
    PRIMARY KEY (cluster_id, node)
);
