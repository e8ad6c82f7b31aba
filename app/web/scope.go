package web

import (
	"context"

	"github.com/gofiber/fiber/v2"
)

// inScope loads the :id object with load. One outside the caller's groups (groupOf) answers
// notFound, as an id that does not exist does, so other groups' ids are not even confirmed.
func inScope[T any](c *fiber.Ctx, load func(context.Context, int64) (T, error), groupOf func(T) int64, notFound error) (T, error) {
	var none T
	id, err := idParam(c)
	if err != nil {
		return none, err
	}
	v, err := load(c.UserContext(), id)
	if err != nil {
		return none, err
	}
	if !principal(c).InGroup(groupOf(v)) {
		return none, notFound
	}
	return v, nil
}
