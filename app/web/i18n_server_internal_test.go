package web

import (
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
)

func TestLocalizeFillsTranslationsWithTheSameArguments(t *testing.T) {
	messages, err := loadServerMessages(os.DirFS("../../assets"))
	if err != nil {
		t.Fatal(err)
	}
	hostile := `50%d "x" %s`
	for _, tc := range []struct {
		name string
		in   *model.Error
		want model.Error
	}{
		{"Errorf keeps its arguments, even one that looks like a format",
			model.Errorf(model.ErrConflict, "%s is the last administrator and cannot be deleted.", hostile),
			model.Error{Code: model.ErrConflict, Message: hostile + " ist der letzte Administrator und kann nicht gelöscht werden."}},
		{"a field message built with Sprintf is recognised by its format",
			&model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.", Fields: map[string]string{
				"allow": strconv.Quote(hostile) + ` is not an address or network such as 192.0.2.10 or 10.0.0.0/8.`,
				"ports": "Use 2 to 7 ports.",
				"other": "A text without a translation.",
			}},
			model.Error{Code: model.ErrInvalid, Message: "Einige Felder sind ungültig.", Fields: map[string]string{
				"allow": strconv.Quote(hostile) + ` ist keine Adresse und kein Netz wie 192.0.2.10 oder 10.0.0.0/8.`,
				"ports": "Bitte 2 bis 7 Ports angeben.",
				"other": "A text without a translation.",
			}}},
	} {
		got := messages.localize(tc.in, "de")
		if got.Code != tc.want.Code || got.Message != tc.want.Message || len(got.Fields) != len(tc.want.Fields) {
			t.Errorf("%s: got %+v", tc.name, got)
		}
		for k, v := range tc.want.Fields {
			if got.Fields[k] != v {
				t.Errorf("%s: field %s is %q, want %q", tc.name, k, got.Fields[k], v)
			}
		}
		if en := messages.localize(tc.in, "en"); en != tc.in {
			t.Errorf("%s: English changed the error: %+v", tc.name, en)
		}
	}
	shared := model.ErrClosed.Message
	messages.localize(model.ErrClosed, "de")
	if model.ErrClosed.Message != shared {
		t.Errorf("translating changed the shared error to %q", model.ErrClosed.Message)
	}
}

// Fiber's refusals before any handler runs (a body over the limit) reach the error handler as
// *fiber.Error with a stock text; they answer with the catalog's sentence in the browser's
// language, and a message of the app's own stays as it is.
func TestFiberStockTextsAreTranslated(t *testing.T) {
	messages, err := loadServerMessages(os.DirFS("../../assets"))
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.DiscardHandler), messages)})
	app.Get("/too-large", func(*fiber.Ctx) error { return fiber.ErrRequestEntityTooLarge })
	app.Get("/encoded", func(*fiber.Ctx) error {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "Send request bodies without Content-Encoding.")
	})
	for _, tc := range []struct{ path, lang, code, message string }{
		{"/too-large", "de-DE,de", model.ErrTooLarge, "Der Inhalt der Anfrage ist zu groß."},
		{"/too-large", "en-GB", model.ErrTooLarge, "The request body is too large."},
		{"/encoded", "de", "unsupported_media_type", "Inhalte von Anfragen bitte ohne Content-Encoding senden."},
	} {
		req := httptest.NewRequest("GET", tc.path, nil)
		req.Header.Set("Accept-Language", tc.lang)
		res, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		var body model.Error
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if body.Code != tc.code || body.Message != tc.message {
			t.Errorf("%s in %s: %+v, want %s %q", tc.path, tc.lang, body, tc.code, tc.message)
		}
	}
}

// An output's last delivery error reads in German as far as the appliance wrote it; what the
// receiver or the network said stays as it came.
func TestOutputErrorsAreTranslated(t *testing.T) {
	messages, err := loadServerMessages(os.DirFS("../../assets"))
	if err != nil {
		t.Fatal(err)
	}
	de := messages["de"]
	for english, want := range map[string]string{
		"webhook: answered 503 Service Unavailable: busy":                           "Webhook: Antwort 503 Service Unavailable: busy",
		"syslog 192.0.2.7:6514: TLS: x509: certificate signed by unknown authority": "Syslog 192.0.2.7:6514: TLS: x509: certificate signed by unknown authority",
		"the event was removed before it was delivered":                             "Das Ereignis wurde entfernt, bevor es zugestellt war",
	} {
		if got := de.text(english); got != want {
			t.Errorf("%q in German: %q, want %q", english, got, want)
		}
	}
}
