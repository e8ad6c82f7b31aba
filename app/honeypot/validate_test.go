package honeypot

import (
	"testing"

	"honeysens/app/model"
)

func TestValidateListen(t *testing.T) {
	for _, c := range []struct {
		in, port string
		ok       bool
	}{
		{"0.0.0.0:21", "21", true},
		{":21", "21", true},
		{"[::1]:0", "21", true},
		{"host:abc", "21", false},
		{"0.0.0.0:abc", "21", false},
		{"localhost:21", "21", false},
		{"0.0.0.0:65536", "21", false},
		{"0.0.0.0", "21", false},
		{"0.0.0.0", "", true},
		{"::", "", true},
		{"host:abc", "", false},
		{"0.0.0.0:21", "", false},
		{"", "", false},
	} {
		f := model.FieldErrors{}
		if ValidateListen(f, c.in, c.port); (f["listen"] == "") != c.ok {
			t.Errorf("ValidateListen(%q, %q): %q", c.in, c.port, f["listen"])
		}
	}
}
