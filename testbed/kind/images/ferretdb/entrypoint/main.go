// Command ferretdb-entrypoint is the entrypoint of shoal-offline/ferretdb: it makes the
// users the platform chart asks for, then becomes FerretDB (exec, same pid).
//
// The mongo image creates the chart's per-service users with an init script run by mongosh
// on an empty volume; FerretDB v1 has neither. In the chart's ferretdb flavour the users are
// listed in SHOAL_FERRETDB_USERS instead, a JSON array of {"user", "db", "passwordEnv"}.
// When it is set, this program first starts FerretDB on a loopback port of its own (so no
// client reaches it half-made), signs in as the setup user (FERRETDB_SETUP_DATABASE,
// _USERNAME, _PASSWORD: FerretDB creates that user itself when the setup database does not
// exist yet), creates every listed user that is missing, stops that FerretDB, and execs the
// real one. It does so on every start, so a service added later gets its user; an existing
// user is left as it is, password included (as the mongo image, which never re-runs its
// scripts). FerretDB v1 has no roles ("roles: []" is all createUser accepts): a user can
// sign in, and then reach every database, not only its own.
//
// Built by testbed/kind/images.sh inside a copy of the pinned FerretDB module's source, with
// FerretDB's own go.mod and go.sum (the MongoDB Go driver is one of its dependencies).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

const ferretdb = "/ferretdb"

// What FerretDB answers to a createUser for a user that exists (Location51003).
const userAlreadyExists = 51003

type user struct {
	User        string `json:"user"`
	DB          string `json:"db"`
	PasswordEnv string `json:"passwordEnv"`
}

func main() {
	if spec := os.Getenv("SHOAL_FERRETDB_USERS"); spec != "" {
		if err := createUsers(spec); err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb-entrypoint: %v\n", err)
			os.Exit(1)
		}
	}
	argv := append([]string{ferretdb}, os.Args[1:]...)
	err := syscall.Exec(ferretdb, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "ferretdb-entrypoint: exec %s: %v\n", ferretdb, err)
	os.Exit(1)
}

func createUsers(spec string) error {
	var users []user
	if err := json.Unmarshal([]byte(spec), &users); err != nil {
		return fmt.Errorf("SHOAL_FERRETDB_USERS is not a JSON array of {user, db, passwordEnv}: %w", err)
	}
	if len(users) == 0 {
		return nil
	}
	if os.Getenv("FERRETDB_TEST_ENABLE_NEW_AUTH") != "true" {
		return errors.New("SHOAL_FERRETDB_USERS needs FerretDB's authentication: set FERRETDB_TEST_ENABLE_NEW_AUTH=true")
	}
	setupDB, setupUser, setupPassword := os.Getenv("FERRETDB_SETUP_DATABASE"), os.Getenv("FERRETDB_SETUP_USERNAME"), os.Getenv("FERRETDB_SETUP_PASSWORD")
	if setupDB == "" || setupUser == "" || setupPassword == "" {
		return errors.New("SHOAL_FERRETDB_USERS needs the setup user: FERRETDB_SETUP_DATABASE, FERRETDB_SETUP_USERNAME and FERRETDB_SETUP_PASSWORD")
	}
	passwords := make([]string, len(users))
	for i, u := range users {
		if u.User == "" || u.DB == "" || u.PasswordEnv == "" {
			return fmt.Errorf("SHOAL_FERRETDB_USERS entry %d lacks user, db or passwordEnv", i)
		}
		if passwords[i] = os.Getenv(u.PasswordEnv); passwords[i] == "" {
			return fmt.Errorf("the password of user %q: %s is not set", u.User, u.PasswordEnv)
		}
	}

	addr, err := loopbackAddress()
	if err != nil {
		return err
	}
	// The same FerretDB and environment, but listening on the loopback port only.
	cmd := exec.Command(ferretdb)
	cmd.Env = append(os.Environ(), "FERRETDB_LISTEN_ADDR="+addr, "FERRETDB_LISTEN_UNIX=", "FERRETDB_LISTEN_TLS=", "FERRETDB_DEBUG_ADDR=-")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err = cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", ferretdb, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// As PID 1, a signal nobody handles is dropped: pass a stop request on and give up.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(signals)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go func() {
		select {
		case sig := <-signals:
			_ = cmd.Process.Signal(sig)
			cancel()
		case <-ctx.Done():
		}
	}()

	err = withClient(ctx, exited, addr, setupDB, setupUser, setupPassword, func(client *mongo.Client) error {
		for i, u := range users {
			// Asked first: FerretDB logs every error answer (an existing user's createUser) as a warning.
			var info struct {
				Users []bson.Raw `bson:"users"`
			}
			if err := client.Database(u.DB).RunCommand(ctx, bson.D{{Key: "usersInfo", Value: u.User}}).Decode(&info); err != nil {
				return fmt.Errorf("looking up user %q in database %q: %w", u.User, u.DB, err)
			}
			if len(info.Users) > 0 {
				continue
			}
			res := client.Database(u.DB).RunCommand(ctx, bson.D{{Key: "createUser", Value: u.User}, {Key: "pwd", Value: passwords[i]}, {Key: "roles", Value: bson.A{}}})
			var cmdErr mongo.CommandError
			switch err := res.Err(); {
			case err == nil:
				fmt.Fprintf(os.Stderr, "ferretdb-entrypoint: created user %q in database %q\n", u.User, u.DB)
			case errors.As(err, &cmdErr) && cmdErr.Code == userAlreadyExists:
			default:
				return fmt.Errorf("creating user %q in database %q: %w", u.User, u.DB, err)
			}
		}
		return nil
	})

	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
	return err
}

// withClient waits until the temporary FerretDB answers as the setup user, then runs f.
func withClient(ctx context.Context, exited <-chan error, addr, db, username, password string, f func(*mongo.Client) error) error {
	uri := (&url.URL{Scheme: "mongodb", Host: addr, Path: "/" + db, User: url.UserPassword(username, password)}).String()
	var last error
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("FerretDB exited before it answered: %v", err)
		default:
		}
		client, err := mongo.Connect(ctx, options.Client().ApplyURI(uri).SetServerSelectionTimeout(2*time.Second).SetDirect(true))
		if err == nil {
			if err = client.Ping(ctx, nil); err == nil {
				defer client.Disconnect(context.Background()) //nolint:errcheck // closing
				return f(client)
			}
			_ = client.Disconnect(context.Background())
		}
		last = err
		if ctx.Err() != nil {
			return fmt.Errorf("FerretDB did not answer as %s on %s: %v", username, addr, last)
		}
		if strings.Contains(err.Error(), "Authentication failed") {
			return fmt.Errorf("signing in as %s failed: is FERRETDB_SETUP_PASSWORD the password the data was first set up with? %w", username, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// loopbackAddress picks a free port on 127.0.0.1 for the temporary FerretDB.
func loopbackAddress() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}
