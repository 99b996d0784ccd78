package geo

import "unique"

// intern returns the one shared copy of s. A data set repeats its event
// types, sites, places and publishers thousands of times: one copy each
// costs less memory, and compares at once where a summary (a cluster's
// event types) compares them.
func intern(s string) string { return unique.Make(s).Value() }

// internIncident replaces in's repeated texts by their shared copies.
func internIncident(in *Incident) {
	in.EventType = intern(in.EventType)
	in.Site = intern(in.Site)
	in.Country = intern(in.Country)
	in.Place = intern(in.Place)
	in.PlaceAR = intern(in.PlaceAR)
	in.Admin1 = intern(in.Admin1)
	in.TimePrecision = TimePrecision(intern(string(in.TimePrecision)))
	in.GeoPrecision = GeoPrecision(intern(string(in.GeoPrecision)))
	for i := range in.Actors {
		in.Actors[i].Name = intern(in.Actors[i].Name)
		in.Actors[i].Role = intern(in.Actors[i].Role)
	}
	for i := range in.Sources {
		s := &in.Sources[i]
		s.Publisher, s.Title, s.URL = intern(s.Publisher), intern(s.Title), intern(s.URL)
	}
}
