package web

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"honeysens/app/model"
)

// statusOf maps every model error code to its HTTP status: the one place where that is decided.
var statusOf = map[string]int{
	model.ErrInvalid:                http.StatusBadRequest,
	model.ErrUnauthorized:           http.StatusUnauthorized,
	model.ErrForbidden:              http.StatusForbidden,
	model.ErrPasswordChangeRequired: http.StatusForbidden,
	model.ErrNotFound:               http.StatusNotFound,
	model.ErrConflict:               http.StatusConflict,
	model.ErrTooLarge:               http.StatusRequestEntityTooLarge,
	model.ErrRateLimited:            http.StatusTooManyRequests,
	model.ErrMailFailed:             http.StatusBadGateway,
	model.ErrInternal:               http.StatusInternalServerError,
}

// codeOfStatus names Fiber's own errors (unknown route, body too large, ...) in the same codes.
var codeOfStatus = map[int]string{
	http.StatusBadRequest:            model.ErrInvalid,
	http.StatusUnauthorized:          model.ErrUnauthorized,
	http.StatusForbidden:             model.ErrForbidden,
	http.StatusNotFound:              model.ErrNotFound,
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: model.ErrTooLarge,
	http.StatusTooManyRequests:       model.ErrRateLimited,
	http.StatusRequestTimeout:        "timeout",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
}

// fiberTexts replace the stock status texts of Fiber's own errors ("Method Not Allowed") with
// sentences that the server catalogs translate like every other message.
var fiberTexts = map[int]string{
	http.StatusBadRequest:                  "The request is not valid.",
	http.StatusNotFound:                    "No such API endpoint.",
	http.StatusMethodNotAllowed:            "This API endpoint does not take this method.",
	http.StatusRequestTimeout:              "The request took too long to arrive.",
	http.StatusRequestEntityTooLarge:       "The request body is too large.",
	http.StatusRequestHeaderFieldsTooLarge: "The request headers are too large.",
	http.StatusUnsupportedMediaType:        "The request body has a format this API does not take.",
	http.StatusTooManyRequests:             "Too many requests; wait a moment and try again.",
}

// fiberMessage is the text of one of Fiber's errors: the app's own sentence for a stock text.
func fiberMessage(fe *fiber.Error) string {
	if text, ok := fiberTexts[fe.Code]; ok && fe.Message == utils.StatusMessage(fe.Code) {
		return text
	}
	return fe.Message
}

// errorHandler answers every error in one JSON shape. Only *model.Error and *fiber.Error texts
// reach the client; anything else is logged and answered "Internal error." so that no SQL,
// path or stack detail ever leaves the box. Messages are translated into the caller's
// language here, in one place, so that the code raising an error writes English only.
func errorHandler(log *slog.Logger, messages serverMessages) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		var me *model.Error
		var fe *fiber.Error
		body := &model.Error{Code: model.ErrInternal, Message: "Internal error."}
		status := http.StatusInternalServerError
		switch {
		case errors.As(err, &me):
			body, status = me, statusOf[me.Code]
			if status == 0 {
				status = http.StatusInternalServerError
			}
		case errors.As(err, &fe) && fe.Code < 500:
			status = fe.Code
			code := codeOfStatus[fe.Code]
			if code == "" {
				code = model.ErrInvalid
			}
			body = &model.Error{Code: code, Message: fiberMessage(fe)}
		}
		if status >= 500 {
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
		}
		return c.Status(status).JSON(messages.localize(body, callerLanguage(c)))
	}
}

// decodeJSON reads the request body into v, refusing unknown fields, trailing data and wrong
// types with field-level messages.
func decodeJSON(c *fiber.Ctx, v any) error {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return model.Errorf(model.ErrInvalid, "Send the request body as application/json.")
	}
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{te.Field: expectedKind(te.Type.Kind().String())}}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{name: "Unknown field."}}
	}
	if errors.Is(err, io.EOF) {
		return model.Errorf(model.ErrInvalid, "The request body is empty.")
	}
	return model.Errorf(model.ErrInvalid, "The request body is not valid JSON.")
}

// expectedKind names the JSON kind a field wants, as a whole sentence so that it translates.
func expectedKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "Expected a number."
	case goKind == "slice" || goKind == "array":
		return "Expected a list."
	case goKind == "struct" || goKind == "map":
		return "Expected an object."
	case goKind == "bool":
		return "Expected true or false."
	}
	return "Expected a string."
}

// idParam reads the numeric :id path parameter.
func idParam(c *fiber.Ctx) (int64, error) {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return 0, model.Errorf(model.ErrNotFound, "No such object.")
	}
	return int64(id), nil
}
