-- Run leases held by a process instance (a random id, never the PID, which a restarted container reuses) and
-- renewed by a heartbeat: a dead holder's lease lapses within seconds. Leases written before this migration have
-- no instance and lapse by their expiry alone.
ALTER TABLE leases ADD COLUMN instance TEXT;
ALTER TABLE leases ADD COLUMN machine TEXT;
ALTER TABLE leases ADD COLUMN pid INTEGER;
