-- Bearer tokens for the write API. A token is shown once, when made; the
-- store keeps its SHA-256 only. id is its public part, for listing and
-- revoking.
CREATE TABLE tokens (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
	hash       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	revoked_at TEXT
);
