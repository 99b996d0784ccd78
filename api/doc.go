// Package api is incidentmap's HTTP surface: the OGC API Features endpoints,
// the overlays, health and metrics, all in one route table (routes.go).
// Handlers are thin: parse the request into typed values (params.go), call
// geo, write the bytes through the cache (respond.go). Every client mistake
// becomes an RFC 9457 problem+json naming the parameter (problem.go).
//
// The package must not read configuration from the environment or flags:
// cmd/incidentmap passes a Config.
package api
