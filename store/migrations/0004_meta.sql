-- What the store knows of itself. store_id, made at random when the
-- store is created, names it in data versions ("r12-<store_id>"): a
-- revision's data never changes, so the two name it whole, on every
-- replica, however it was built.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
