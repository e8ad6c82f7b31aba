package model

import (
	"reflect"
	"strings"
	"testing"
)

func TestDiffMasksSecrets(t *testing.T) {
	type settings struct {
		Host     string            `json:"host"`
		Password string            `json:"password"`
		Extra    map[string]string `json:"extra"`
		Body     string            `json:"body"`
	}
	old := settings{Host: "a", Password: "old-secret", Extra: map[string]string{"token": "t1", "x": "1"}, Body: "same"}
	after := settings{Host: "b", Password: "new-secret", Extra: map[string]string{"token": "t2", "x": "2"}, Body: "same"}
	got := Diff(old, after)
	want := Changes{
		"host":     {"a", "b"},
		"password": {SecretMask, SecretMask},
		"extra":    {map[string]any{"token": SecretMask, "x": "1"}, map[string]any{"token": SecretMask, "x": "2"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Diff = %v, want %v", got, want)
	}
	if got := Diff(settings{}, settings{Password: "set"}); !reflect.DeepEqual(got["password"], [2]any{"", SecretMask}) {
		t.Errorf("a password set: %v", got)
	}
	long := strings.Repeat("x", 300)
	if got := Diff(settings{}, settings{Body: long})["body"][1].(string); len([]rune(got)) != 201 {
		t.Errorf("a long text is kept whole: %d runes", len([]rune(got)))
	}
}
