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

func TestOrDefault(t *testing.T) {
	if got := OrDefault("", "ftp"); got != "ftp" {
		t.Errorf(`OrDefault("", "ftp") = %q`, got)
	}
	if got := OrDefault(" ", "ftp"); got != " " {
		t.Errorf(`OrDefault(" ", "ftp") = %q, want the set value`, got)
	}
	for _, c := range []struct{ in, want int64 }{{0, 64}, {-1, 64}, {1, 1}, {100, 100}} {
		if got := OrDefault(c.in, 64); got != c.want {
			t.Errorf("OrDefault(%d, 64) = %d, want %d", c.in, got, c.want)
		}
	}
}
