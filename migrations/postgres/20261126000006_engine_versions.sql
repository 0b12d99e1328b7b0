-- Every model and policy version that ever decided, with its exact content, so that any past
-- decision can be replayed with the versions it was made with. Append-only.
CREATE TABLE engine_versions (
    kind            TEXT    NOT NULL CHECK (kind IN ('model', 'policy')),
    version         TEXT    NOT NULL,
    sha256          TEXT    NOT NULL CHECK (length(sha256) = 64),
    content         TEXT    NOT NULL,
    registered_at_ms BIGINT NOT NULL,
    PRIMARY KEY (kind, version)
);
CREATE TRIGGER engine_versions_append_only BEFORE UPDATE OR DELETE ON engine_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
