// Package model holds the appliance's domain types, their enums and validation. It is the leaf
// of the import graph: every other package may use it, it uses none of them.
package model

import (
	"errors"
	"fmt"
)

// Error codes shared by the store, the services and the HTTP layer. The web package maps each
// code to one HTTP status; the code string itself is part of the JSON API.
const (
	ErrInvalid                = "invalid"
	ErrUnauthorized           = "unauthorized"
	ErrForbidden              = "forbidden"
	ErrPasswordChangeRequired = "password_change_required"
	ErrNotFound               = "not_found"
	ErrConflict               = "conflict"
	ErrRateLimited            = "rate_limited"
	ErrTooLarge               = "payload_too_large"
	ErrMailFailed             = "mail_failed" // the mail server refused or could not be reached
	ErrInternal               = "internal"
)

// ErrClosed is returned for events submitted after shutdown began.
var ErrClosed = Errorf("unavailable", "The appliance is shutting down; send again later.")

// Error is an error meant for the client: a code, a human message and optional per-field
// messages. Anything that is not an *Error reaches the client only as "internal error".
// Messages and field messages are English; the web layer translates them for the caller.
type Error struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// format and args are what Errorf built Message from: a translation is found by the
	// format and filled in with the same arguments.
	format string
	args   []any
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
	}
	return e.Code + ": " + e.Message
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// Template returns the format and arguments Message was built from, or Message itself and no
// arguments when the error was not made by Errorf.
func (e *Error) Template() (format string, args []any) {
	if e.format == "" {
		return e.Message, nil
	}
	return e.format, e.args
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, else ErrInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ErrInternal
}

// FieldErrors collects validation messages per field while a value is checked.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message (the first one wins).
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when no field failed, else an invalid *Error carrying every field message.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: ErrInvalid, Message: "Some fields are not valid.", Fields: f}
}
