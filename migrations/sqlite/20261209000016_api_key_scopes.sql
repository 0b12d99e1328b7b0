-- What each API key may do, space-separated. Keys made before scopes existed hold them all.
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL
    DEFAULT 'decisions:write decisions:read webhooks:manage audit:read'
    CHECK (length(scopes) > 0);
