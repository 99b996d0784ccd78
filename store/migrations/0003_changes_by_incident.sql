-- An incident's history (Store.History, the corrections log of one
-- incident) reads its changes newest first without a scan of every
-- change: an import of a million incidents is a million rows.
CREATE INDEX changes_by_incident ON changes (incident, rev);
