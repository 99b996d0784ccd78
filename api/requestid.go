package api

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"

	"github.com/labstack/echo/v4"
)

// requestIDPattern is what a client's X-Request-Id must look like to be
// kept: a proxy's or tracer's id (a UUID, a hex or base64url token), at
// most 64 characters. Anything else is replaced, so that an id echoed in
// a header and written in the log cannot carry text an attacker chose.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// assignRequestID gives every request an id, kept from X-Request-Id when it is
// safe, else fresh, and sends it back in X-Request-Id.
func assignRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if id == "" || !requestIDPattern.MatchString(id) { // most clients send none
			id = newRequestID()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// newRequestID returns 16 random bytes in hex.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	var h [32]byte
	hex.Encode(h[:], b[:])
	return string(h[:]) // one allocation, where EncodeToString makes two

}
