-- Every model and policy version that ever decided, with its exact content, so that any past
-- decision can be replayed with the versions it was made with. Append-only.
CREATE TABLE engine_versions (
    kind            TEXT    NOT NULL CHECK (kind IN ('model', 'policy')),
    version         TEXT    NOT NULL,
    sha256          TEXT    NOT NULL CHECK (length(sha256) = 64),
    content         TEXT    NOT NULL,
    registered_at_ms INTEGER NOT NULL,
    PRIMARY KEY (kind, version)
);
CREATE TRIGGER engine_versions_no_update BEFORE UPDATE ON engine_versions
BEGIN
    SELECT RAISE(ABORT, 'engine versions are append-only');
END;
CREATE TRIGGER engine_versions_no_delete BEFORE DELETE ON engine_versions
BEGIN
    SELECT RAISE(ABORT, 'engine versions are append-only');
END;
