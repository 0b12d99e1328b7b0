-- When an admin last reset the user's password: sessions signed in before then end.
ALTER TABLE users ADD COLUMN credentials_changed_ms INTEGER;
