-- The Merkle tree over the audit records (RFC 9162 hashing) and its signed checkpoints.

-- Every complete subtree: the node at `level` and `idx` covers the records
-- idx·2^level + 1 … (idx+1)·2^level. Level 0 holds the leaves. Derived from the records, so
-- `server audit verify` recomputes it; kept so that proofs cost one read.
CREATE TABLE audit_tree_nodes (
    level  BIGINT NOT NULL CHECK (level BETWEEN 0 AND 62),
    idx    BIGINT NOT NULL CHECK (idx >= 0),
    hash   TEXT   NOT NULL CHECK (length(hash) = 64),
    PRIMARY KEY (level, idx)
);

-- The signed checkpoints, oldest first; `line` is the checkpoint exactly as served and signed.
CREATE TABLE audit_checkpoints (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tree_size    BIGINT NOT NULL CHECK (tree_size >= 0),
    root_hash    TEXT   NOT NULL CHECK (length(root_hash) = 64),
    signed_at_ms BIGINT NOT NULL,
    key_id       TEXT   NOT NULL,
    line         TEXT   NOT NULL
);
CREATE INDEX audit_checkpoints_by_size ON audit_checkpoints (tree_size, seq);
CREATE INDEX audit_checkpoints_by_time ON audit_checkpoints (signed_at_ms, seq);

CREATE TRIGGER audit_tree_nodes_append_only BEFORE UPDATE OR DELETE ON audit_tree_nodes
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
