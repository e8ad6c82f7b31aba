package honeypot_test

import (
	"errors"
	"testing"

	"honeysens/app/honeypot/ftp"
	"honeysens/app/honeypot/http"
	"honeysens/app/honeypot/recon"
	"honeysens/app/honeypot/ssh"
	"honeysens/app/honeypot/telnet"
	"honeysens/app/model"
)

// Every service refuses a bad listen setting when it is configured, not when it fails to bind.
func TestServicesRejectBadListen(t *testing.T) {
	hostPort := []string{"host:abc", "0.0.0.0:abc", "0.0.0.0"}
	for _, svc := range []struct {
		name     string
		bad      []string
		validate func(listen string) error
	}{
		{"ftp", hostPort, func(l string) error { c := ftp.DefaultConfig(); c.Listen = l; return c.Validate() }},
		{"http", hostPort, func(l string) error { c := http.DefaultConfig(); c.Listen = l; return c.Validate() }},
		{"telnet", hostPort, func(l string) error { c := telnet.DefaultConfig(); c.Listen = l; return c.Validate() }},
		{"ssh", hostPort, func(l string) error { c := ssh.DefaultConfig(); c.Listen = l; return c.Validate() }},
		// recon binds its address once per port it lists: the setting has no port
		{"recon", []string{"host:abc", "0.0.0.0:80", ""}, func(l string) error { c := recon.Defaults(); c.Listen = l; return c.Validate() }},
	} {
		t.Run(svc.name, func(t *testing.T) {
			for _, l := range svc.bad {
				var me *model.Error
				if err := svc.validate(l); !errors.As(err, &me) || me.Fields["listen"] == "" {
					t.Errorf("listen %q: %v", l, err)
				}
			}
		})
	}
}
