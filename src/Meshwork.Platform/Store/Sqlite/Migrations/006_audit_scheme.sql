-- The audit chain is keyed (HMAC-SHA256 with a key kept outside the store); each record says how its hash was made.
-- Records written before this migration carry a plain SHA-256 and keep being verified by it.
ALTER TABLE audit_log ADD COLUMN scheme TEXT NOT NULL DEFAULT 'sha256';
