-- A password someone else set (a generated one, on creation or reset) must be changed by its
-- owner at the next sign-in.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
