-- The audit trail: one row per decision or later human action, append-only, each row holding the
-- hash of the previous one (hash chain). Snapshot bodies are kept once per content hash.
CREATE TABLE audit_records (
    seq             INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 1),
    id              TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    decision_id     TEXT    NOT NULL,
    world           TEXT    NOT NULL CHECK (world IN ('sandbox', 'live')),
    recorded_at_ms  INTEGER NOT NULL,
    payload         TEXT    NOT NULL,
    prev_hash       TEXT    NOT NULL,
    hash            TEXT    NOT NULL UNIQUE
);
CREATE INDEX audit_records_by_decision ON audit_records (decision_id, seq);

CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;

CREATE TABLE snapshot_bodies (
    sha256      TEXT    PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL,
    compressed  BLOB    NOT NULL
);
CREATE TRIGGER snapshot_bodies_no_update BEFORE UPDATE ON snapshot_bodies
BEGIN
    SELECT RAISE(ABORT, 'snapshots are append-only');
END;
CREATE TRIGGER snapshot_bodies_no_delete BEFORE DELETE ON snapshot_bodies
BEGIN
    SELECT RAISE(ABORT, 'snapshots are append-only');
END;
