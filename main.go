// Command honeysens is the HoneySens appliance: the management server (web UI, JSON API,
// sensor ingest on one port, data in one SQLite file) and a honeypot sensor host in one binary.
package main

import (
	"embed"
	"io/fs"
	"os"
	_ "time/tzdata" // the weekly summary's time zone works on images without a zone database

	"honeysens/app"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

// schema is the full current database schema; app/store applies it to a fresh database.
//
//go:embed schema.sql
var schema string

// assets is the web UI (and the default mail templates under assets/mail).
//
//go:embed assets
var assets embed.FS

func main() {
	ui, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // cannot happen: the directory is embedded above
	}
	os.Exit(app.Main(os.Args[1:], app.Resources{Schema: schema, Assets: ui, Version: version}, os.Stdout, os.Stderr))
}
