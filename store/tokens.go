package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Roles a token may have: an editor writes incidents; an admin also
// manages tokens.
const (
	RoleEditor = "editor"
	RoleAdmin  = "admin"
)

// Token is a bearer token as the store knows it: never its secret.
type Token struct {
	ID        string
	Name      string
	Role      string
	CreatedAt time.Time
	Revoked   bool
}

// ErrBadToken is a bearer token the store does not know, or revoked.
var ErrBadToken = errors.New("unknown or revoked token")

// tokenPrefix starts every token, so one found in a log or a repository
// is recognised for what it is.
const tokenPrefix = "imt_"

// MaxTokenName bounds a token's name, in bytes.
const MaxTokenName = 200

// TokenError is a new token's name or role that CheckToken refuses;
// Field says which ("name" or "role").
type TokenError struct {
	Field string
	Err   error
}

func (e *TokenError) Error() string { return e.Field + ": " + e.Err.Error() }

func (e *TokenError) Unwrap() error { return e.Err }

// CheckToken returns a *TokenError when a new token's name or role is
// not one the store takes: a role editor or admin, and a name of 1 to
// MaxTokenName bytes of UTF-8 text, which says whose the token is (it is
// the author of their revisions in the corrections log, its feed and
// page, so no control characters).
func CheckToken(name, role string) error {
	if role != RoleEditor && role != RoleAdmin {
		return &TokenError{"role", fmt.Errorf("%q: want %s or %s", role, RoleEditor, RoleAdmin)}
	}
	switch {
	case strings.TrimSpace(name) == "" || len(name) > MaxTokenName:
		return &TokenError{"name", fmt.Errorf("a name of 1 to %d bytes says whose it is", MaxTokenName)}
	case !utf8.ValidString(name):
		return &TokenError{"name", errors.New("not UTF-8")}
	case strings.ContainsFunc(name, unicode.IsControl):
		return &TokenError{"name", errors.New("a control character; a name is one line of text")}
	}
	return nil
}

// CreateToken makes a token for name with role and returns it with its
// secret, "imt_<id>_<secret>": the one time the secret is shown. The
// store keeps its SHA-256.
func (s *Store) CreateToken(ctx context.Context, name, role string) (Token, string, error) {
	if err := CheckToken(name, role); err != nil {
		return Token{}, "", fmt.Errorf("create token: %w", err)
	}
	id, err := randomHex(8)
	if err != nil {
		return Token{}, "", err
	}
	secret, err := randomHex(24)
	if err != nil {
		return Token{}, "", err
	}
	t := Token{ID: id, Name: name, Role: role, CreatedAt: time.Now().UTC()}
	_, err = s.db.ExecContext(ctx, `INSERT INTO tokens (id, name, role, hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		t.ID, t.Name, t.Role, hashSecret(secret), t.CreatedAt.Format(time.RFC3339))
	if err != nil {
		return Token{}, "", fmt.Errorf("create token: %w", err)
	}
	return t, tokenPrefix + id + "_" + secret, nil
}

// Authenticate returns the token a bearer token's text names, or
// ErrBadToken. The secret is compared by its hash, in constant time.
func (s *Store) Authenticate(ctx context.Context, text string) (Token, error) {
	rest, ok := strings.CutPrefix(text, tokenPrefix)
	id, secret, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(text) > 200 {
		return Token{}, ErrBadToken
	}
	var t Token
	var hash, created string
	var revoked sql.NullString
	err := s.authQuery.QueryRowContext(ctx, id).Scan(&t.ID, &t.Name, &t.Role, &hash, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrBadToken
	}
	if err != nil {
		return Token{}, fmt.Errorf("authenticate: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(hashSecret(secret))) != 1 || revoked.Valid {
		return Token{}, ErrBadToken
	}
	t.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return t, nil
}

// authQuery is Authenticate's query, prepared when the store opens
// (Store.start): every write is authenticated, and preparing it each time
// was most of Authenticate's time on SQLite (docs/performance.md). The
// token is still read at every write, so a revocation takes effect at
// the next one.
const authQuery = `SELECT id, name, role, hash, created_at, revoked_at FROM tokens WHERE id = $1`

// Tokens lists the tokens, oldest first, revoked ones too.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, role, created_at, revoked_at FROM tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var created string
		var revoked sql.NullString
		if err := rows.Scan(&t.ID, &t.Name, &t.Role, &created, &revoked); err != nil {
			return nil, fmt.Errorf("tokens: %w", err)
		}
		t.CreatedAt, _ = time.Parse(time.RFC3339, created)
		t.Revoked = revoked.Valid
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes the token with the given id: it authenticates no
// more. Revoking one that is revoked already is no error.
func (s *Store) RevokeToken(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, time.Now().UTC().Format(time.RFC3339), id)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("revoke token %q: %w", id, ErrNotFound)
	}
	return nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return hex.EncodeToString(b), nil
}
