package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/incidentmap/incidentmap/store"
)

const tokenUsage = "incidentmap token create -store STORE -name WHO [-role editor|admin] | token list -store STORE | token revoke -store STORE ID"

// runToken manages the bearer tokens of a store: create (the token is
// printed once, and only its hash is kept), list, revoke.
func runToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: %s", tokenUsage)
	}
	verb := args[0]
	fs := flag.NewFlagSet("token "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("store", getenv("INCIDENTMAP_STORE"), "the store: a SQLite file or a postgres:// URL (INCIDENTMAP_STORE)")
	name := fs.String("name", "", "create: whose token it is, e.g. \"Graphics desk\"")
	role := fs.String("role", store.RoleEditor, "create: editor (writes incidents) or admin (also manages tokens)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *dsn == "" {
		return errors.New("-store is required")
	}
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	switch verb {
	case "create":
		t, secret, err := st.CreateToken(ctx, *name, *role)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", secret)
		fmt.Fprintf(stderr, "token %s for %q, role %s: shown once, keep it now; the store keeps only its hash\n", t.ID, t.Name, t.Role)
		return nil
	case "list":
		tokens, err := st.Tokens(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tROLE\tCREATED\tREVOKED")
		for _, t := range tokens {
			revoked := ""
			if t.Revoked {
				revoked = "revoked"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.CreatedAt.Format(time.DateOnly), revoked)
		}
		return w.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return fmt.Errorf("revoke takes one token id; usage: %s", tokenUsage)
		}
		if err := st.RevokeToken(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %s\n", fs.Arg(0))
		return nil
	}
	return fmt.Errorf("unknown token command %q; usage: %s", verb, tokenUsage)
}
