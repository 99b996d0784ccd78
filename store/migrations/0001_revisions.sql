-- Revisions of the data set: every write is one, numbered from 1.
CREATE TABLE revisions (
	rev    BIGINT PRIMARY KEY,
	at     TEXT    NOT NULL, -- RFC 3339, UTC
	author TEXT    NOT NULL,
	reason TEXT    NOT NULL
);

-- Every version of every incident, as the GeoJSON Feature the loader
-- reads, valid from rev_from up to (not including) rev_to; rev_to is NULL
-- for the current version. A deleted incident's last version is closed
-- and no other follows it.
CREATE TABLE incident_versions (
	id       TEXT    NOT NULL,
	rev_from BIGINT  NOT NULL REFERENCES revisions (rev),
	rev_to   BIGINT  REFERENCES revisions (rev),
	feature  TEXT    NOT NULL,
	PRIMARY KEY (id, rev_from)
);
CREATE INDEX incident_versions_by_rev ON incident_versions (rev_from, rev_to);

-- What each revision did to each incident it touched, field by field.
CREATE TABLE changes (
	rev      BIGINT  NOT NULL REFERENCES revisions (rev),
	incident TEXT    NOT NULL,
	op       TEXT    NOT NULL CHECK (op IN ('create', 'update', 'delete')),
	diff     TEXT    NOT NULL, -- JSON: [{"field", "from", "to"}]
	PRIMARY KEY (rev, incident)
);

-- The sites, one GeoJSON FeatureCollection: they change with the code,
-- not through the write API.
CREATE TABLE sites (
	singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
	feature_collection TEXT NOT NULL
);
