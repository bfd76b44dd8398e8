// Reads env-file cases the way docker and Docker Compose do, using their own
// parsers: docker/cli's pkg/kvfile (`docker run --env-file`) and compose-go's
// dotenv package (Compose's `.env` and `env_file:`).
//
// stdin: a JSON object, case name → exact file text.
// stdout: a JSON object, case name → {"docker": result, "compose": result},
// where a result is {"vars": [[name, value], ...]} in the reader's order, or
// {"error": message}. Each case is written to a file and read from there,
// as the real tools read it.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/docker/cli/pkg/kvfile"
	"github.com/sirupsen/logrus"
)

type result struct {
	Vars  [][2]string `json:"vars,omitempty"`
	Error string      `json:"error,omitempty"`
}

// unset: the oracle runs with an empty environment, so a bare NAME line
// finds nothing to inherit.
func unset(string) (string, bool) { return "", false }

func docker(path string) result {
	lines, err := kvfile.Parse(path, unset)
	if err != nil {
		return result{Error: err.Error()}
	}
	vars := [][2]string{}
	for _, l := range lines {
		name, value, _ := strings.Cut(l, "=")
		vars = append(vars, [2]string{name, value})
	}
	return result{Vars: vars}
}

func compose(path string) result {
	env, err := dotenv.GetEnvFromFile(map[string]string{}, []string{path})
	if err != nil {
		return result{Error: err.Error()}
	}
	// A Go map has no order: sorted by name.
	names := make([]string, 0, len(env))
	for n := range env {
		names = append(names, n)
	}
	sort.Strings(names)
	vars := [][2]string{}
	for _, n := range names {
		vars = append(vars, [2]string{n, env[n]})
	}
	return result{Vars: vars}
}

func main() {
	// Compose warns about unset variables through logrus: not a result.
	logrus.SetOutput(io.Discard)
	var cases map[string]string
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "envfile-oracle: stdin:", err)
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "envfile-oracle-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "envfile-oracle:", err)
		os.Exit(2)
	}
	defer os.RemoveAll(dir)
	out := map[string]map[string]result{}
	i := 0
	for name, text := range cases {
		i++
		path := filepath.Join(dir, fmt.Sprintf("%d.env", i))
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "envfile-oracle:", err)
			os.Exit(2)
		}
		out[name] = map[string]result{"docker": docker(path), "compose": compose(path)}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "envfile-oracle:", err)
		os.Exit(2)
	}
}
