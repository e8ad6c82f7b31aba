package sensor

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/ftp"
	httphp "honeysens/app/honeypot/http"
	"honeysens/app/honeypot/recon"
	"honeysens/app/honeypot/ssh"
	"honeysens/app/honeypot/telnet"
	"honeysens/app/model"
)

// DefaultCatalog is every honeypot service kind built into the appliance. Files a service
// keeps (the SSH host keys) are placed in dataDir.
func DefaultCatalog(dataDir string) Catalog {
	c := Catalog{}
	for _, k := range []Kind{
		kindOf("ssh", ssh.DefaultConfig, func(cfg ssh.Config, lim honeypot.Limits, log *slog.Logger) honeypot.Service {
			// The host key file always lives in the data directory: the setting names the file,
			// never a path, so a manager's settings cannot make the appliance (or a remote
			// sensor running as root) write keys anywhere else.
			name := filepath.Base(cfg.HostKeyFile)
			if name == "." || name == ".." || name == string(filepath.Separator) {
				name = ssh.DefaultConfig().HostKeyFile
			}
			cfg.HostKeyFile = filepath.Join(dataDir, name)
			return ssh.New(cfg, lim, log)
		}),
		kindOf("telnet", telnet.DefaultConfig, func(cfg telnet.Config, lim honeypot.Limits, log *slog.Logger) honeypot.Service {
			return telnet.New(cfg, lim, log)
		}),
		kindOf("ftp", ftp.DefaultConfig, func(cfg ftp.Config, lim honeypot.Limits, log *slog.Logger) honeypot.Service {
			return ftp.New(cfg, lim, log)
		}),
		kindOf("http", httphp.DefaultConfig, func(cfg httphp.Config, lim honeypot.Limits, log *slog.Logger) honeypot.Service {
			return httphp.New(cfg, lim, log)
		}),
		kindOf("recon", recon.Defaults, func(cfg recon.Config, lim honeypot.Limits, log *slog.Logger) honeypot.Service {
			return recon.New(cfg, lim, log)
		}),
	} {
		c[k.Name] = k
	}
	return c
}

// kindOf builds a catalog entry from a service package's settings type, default settings and
// constructor: settings are read onto the defaults (missing keys keep them) and validated.
func kindOf[C any, P interface {
	*C
	Validate() error
}](name string, defaults func() C, build func(C, honeypot.Limits, *slog.Logger) honeypot.Service) Kind {
	return Kind{
		Name:     name,
		Defaults: func() any { return defaults() },
		New: func(raw json.RawMessage, lim honeypot.Limits, log *slog.Logger) (honeypot.Service, error) {
			cfg := defaults()
			if err := decode(raw, &cfg); err != nil {
				return nil, &model.Error{Code: model.ErrInvalid, Message: "The settings are not valid JSON for this service.",
					Fields: map[string]string{"config": fmt.Sprintf("%s settings: %v", name, err)}}
			}
			if err := P(&cfg).Validate(); err != nil {
				var me *model.Error
				if errors.As(err, &me) {
					return nil, err
				}
				return nil, &model.Error{Code: model.ErrInvalid, Message: err.Error(), Fields: map[string]string{"config": err.Error()}}
			}
			return build(cfg, lim, log), nil
		},
	}
}
