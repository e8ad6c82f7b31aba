package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// routeCase is the expected outcome of one route for each kind of caller.
type routeCase struct {
	path string // request path; {observer}, {victim}, {other}, {sensor}, {event} are replaced by ids
	// body is sent as JSON; a func(caller int) any makes one body per caller (for unique names).
	body any
	// want is the status for anonymous, observer, manager and admin, in that order.
	want [4]int
}

// routeCases must name every registered route ("METHOD pattern"). A route added to the table
// without an entry here fails TestEveryRouteIsAuthorized: decide who may call it, then add it.
var routeCases = map[string]routeCase{
	"GET /healthz": {path: "/healthz", want: [4]int{200, 200, 200, 200}},

	"POST /api/session":            {path: "/api/session", body: map[string]string{"username": "admin", "password": "wrong-password"}, want: [4]int{401, 401, 401, 401}},
	"GET /api/session":             {path: "/api/session", want: [4]int{401, 200, 200, 200}},
	"DELETE /api/session":          {path: "/api/session", want: [4]int{401, 204, 204, 204}},
	"PUT /api/session/password":    {path: "/api/session/password", body: map[string]string{"current_password": "wrong", "new_password": "x"}, want: [4]int{401, 400, 400, 400}},
	"GET /api/sessions":            {path: "/api/sessions", want: [4]int{401, 200, 200, 200}},
	"PUT /api/session/preferences": {path: "/api/session/preferences", body: map[string]string{"language": "fr"}, want: [4]int{401, 400, 400, 400}},
	"DELETE /api/sessions/:sid":    {path: "/api/sessions/0123456789abcdef", want: [4]int{401, 404, 404, 404}},

	"GET /api/tokens":        {path: "/api/tokens", want: [4]int{401, 200, 200, 200}},
	"POST /api/tokens":       {path: "/api/tokens", body: map[string]string{"name": "ci"}, want: [4]int{401, 201, 201, 201}},
	"DELETE /api/tokens/:id": {path: "/api/tokens/999", want: [4]int{401, 404, 404, 404}},

	"GET /api/users":                      {path: "/api/users", want: [4]int{401, 403, 403, 200}},
	"POST /api/users":                     {path: "/api/users", body: map[string]any{"login": "new", "role": 1, "password": "new-password"}, want: [4]int{401, 403, 403, 201}},
	"GET /api/users/:id":                  {path: "/api/users/1", want: [4]int{401, 403, 403, 200}},
	"PATCH /api/users/:id":                {path: "/api/users/{observer}", body: map[string]any{"full_name": "Renamed"}, want: [4]int{401, 403, 403, 200}},
	"DELETE /api/users/:id":               {path: "/api/users/{victim}", want: [4]int{401, 403, 403, 204}},
	"GET /api/users/:id/sessions":         {path: "/api/users/{observer}/sessions", want: [4]int{401, 403, 403, 200}},
	"DELETE /api/users/:id/sessions/:sid": {path: "/api/users/{observer}/sessions/0123456789abcdef", want: [4]int{401, 403, 403, 404}},

	"GET /api/groups":        {path: "/api/groups", want: [4]int{401, 200, 200, 200}},
	"POST /api/groups":       {path: "/api/groups", body: map[string]any{"name": "New"}, want: [4]int{401, 403, 403, 201}},
	"GET /api/groups/:id":    {path: "/api/groups/1", want: [4]int{401, 200, 200, 200}},
	"PATCH /api/groups/:id":  {path: "/api/groups/1", body: map[string]any{"name": "Renamed"}, want: [4]int{401, 403, 403, 200}},
	"DELETE /api/groups/:id": {path: "/api/groups/{other}", want: [4]int{401, 403, 403, 200}},

	"GET /api/audit": {path: "/api/audit", want: [4]int{401, 403, 403, 200}},

	"GET /api/system/backup": {path: "/api/system/backup", want: [4]int{401, 403, 403, 200}},

	"GET /api/settings/archive":   {path: "/api/settings/archive", want: [4]int{401, 200, 200, 200}},
	"PATCH /api/settings/archive": {path: "/api/settings/archive", body: map[string]any{"prefer": true}, want: [4]int{401, 403, 403, 200}},
	"POST /api/archive/run":       {path: "/api/archive/run", want: [4]int{401, 403, 403, 200}},

	"GET /api/settings/metrics":   {path: "/api/settings/metrics", want: [4]int{401, 403, 403, 200}},
	"PATCH /api/settings/metrics": {path: "/api/settings/metrics", body: map[string]any{"allow": []string{"192.0.2.0/24"}}, want: [4]int{401, 403, 403, 200}},
	// Off by default: it answers as an unknown page would, whoever asks.
	"GET /metrics": {path: "/metrics", want: [4]int{404, 404, 404, 404}},

	"GET /api/settings/smtp":   {path: "/api/settings/smtp", want: [4]int{401, 403, 403, 200}},
	"PATCH /api/settings/smtp": {path: "/api/settings/smtp", body: map[string]any{"storm_limit": 5}, want: [4]int{401, 403, 403, 200}},
	// The admin's request gets as far as checking the address.
	"POST /api/settings/smtp/test":      {path: "/api/settings/smtp/test", body: map[string]any{"to": "not an address"}, want: [4]int{401, 403, 403, 400}},
	"GET /api/templates":                {path: "/api/templates", want: [4]int{401, 403, 403, 200}},
	"PUT /api/templates/:type":          {path: "/api/templates/event", body: map[string]any{"body": nil}, want: [4]int{401, 403, 403, 200}},
	"POST /api/templates/:type/preview": {path: "/api/templates/event/preview", body: map[string]any{"body": nil}, want: [4]int{401, 403, 403, 200}},
	"GET /api/mails":                    {path: "/api/mails", want: [4]int{401, 403, 403, 200}},
	"POST /api/mails/retry":             {path: "/api/mails/retry", want: [4]int{401, 403, 403, 200}},
	"GET /api/mails/:id":                {path: "/api/mails/999", want: [4]int{401, 403, 403, 404}},

	"GET /api/outputs":             {path: "/api/outputs", want: [4]int{401, 403, 403, 200}},
	"POST /api/outputs":            {path: "/api/outputs", body: map[string]any{"type": "webhook", "name": "hook", "config": map[string]any{"url": "https://example.org/hook"}}, want: [4]int{401, 403, 403, 201}},
	"GET /api/outputs/:id":         {path: "/api/outputs/999", want: [4]int{401, 403, 403, 404}},
	"PATCH /api/outputs/:id":       {path: "/api/outputs/999", body: map[string]any{"name": "x"}, want: [4]int{401, 403, 403, 404}},
	"DELETE /api/outputs/:id":      {path: "/api/outputs/999", want: [4]int{401, 403, 403, 404}},
	"POST /api/outputs/:id/retry":  {path: "/api/outputs/999/retry", want: [4]int{401, 403, 403, 404}},
	"POST /api/settings/testevent": {path: "/api/settings/testevent", want: [4]int{401, 403, 403, 201}},

	"GET /api/events":             {path: "/api/events", want: [4]int{401, 200, 200, 200}},
	"GET /api/overview":           {path: "/api/overview", want: [4]int{401, 200, 200, 200}},
	"GET /api/attackers":          {path: "/api/attackers", want: [4]int{401, 200, 200, 200}},
	"GET /api/attackers/:address": {path: "/api/attackers/192.0.2.1", want: [4]int{401, 200, 200, 200}},
	"PATCH /api/events":           {path: "/api/events", body: map[string]any{"ids": []int{1}, "status": 2}, want: [4]int{401, 403, 200, 200}},
	"DELETE /api/events":          {path: "/api/events", body: map[string]any{"ids": []int{1}}, want: [4]int{401, 403, 200, 200}},
	"GET /api/events/export.csv":  {path: "/api/events/export.csv", want: [4]int{401, 200, 200, 200}},
	"GET /api/events/updates":     {path: "/api/events/updates", want: [4]int{401, 200, 200, 200}},
	"GET /api/events/:id":         {path: "/api/events/{event}", want: [4]int{401, 200, 200, 200}},

	"GET /api/filters": {path: "/api/filters", want: [4]int{401, 200, 200, 200}},
	"POST /api/filters": {path: "/api/filters", body: func(i int) any {
		return map[string]any{"name": fmt.Sprint("rule ", i), "group": 1, "conditions": []map[string]string{{"attribute": "source", "value": "192.0.2.7"}}}
	}, want: [4]int{401, 403, 201, 201}},
	"GET /api/filters/:id":    {path: "/api/filters/{filter}", want: [4]int{401, 200, 200, 200}},
	"PATCH /api/filters/:id":  {path: "/api/filters/{filter}", body: map[string]any{"enabled": false}, want: [4]int{401, 403, 200, 200}},
	"DELETE /api/filters/:id": {path: "/api/filters/{filter}", want: [4]int{401, 403, 204, 404}},

	"GET /api/sensors": {path: "/api/sensors", want: [4]int{401, 200, 200, 200}},
	"POST /api/sensors": {path: "/api/sensors", body: func(i int) any { return map[string]any{"name": fmt.Sprint("s", i), "group": 1} },
		want: [4]int{401, 403, 201, 201}},
	"GET /api/sensors/:id":        {path: "/api/sensors/{sensor}", want: [4]int{401, 200, 200, 200}},
	"PATCH /api/sensors/:id":      {path: "/api/sensors/{sensor}", body: map[string]any{"location": "Rack 2"}, want: [4]int{401, 403, 200, 200}},
	"GET /api/sensors/:id/status": {path: "/api/sensors/{sensor}/status", want: [4]int{401, 200, 200, 200}},
	"GET /api/sensors/:id/config": {path: "/api/sensors/{sensor}/config", want: [4]int{401, 403, 200, 200}},
	"PUT /api/sensors/:id/services/:name": {path: "/api/sensors/{sensor}/services/recon", body: map[string]any{"enabled": false},
		want: [4]int{401, 403, 200, 200}},
	"GET /api/sensors/:id/network":    {path: "/api/sensors/{sensor}/network", want: [4]int{401, 200, 200, 200}},
	"PUT /api/sensors/:id/network":    {path: "/api/sensors/{sensor}/network", body: map[string]any{"proxy_mode": 0}, want: [4]int{401, 403, 200, 200}},
	"GET /api/sensors/:id/containers": {path: "/api/sensors/{sensor}/containers", want: [4]int{401, 200, 200, 200}},
	"POST /api/sensors/:id/containers": {path: "/api/sensors/{sensor}/containers", body: func(i int) any {
		return map[string]any{"label": fmt.Sprint("c", i), "registry": "registry.example.org", "images": map[string]string{"armhf": "honeysens/recon:armhf-1"}}
	}, want: [4]int{401, 403, 201, 201}},
	"PUT /api/sensors/:id/containers/:cid": {path: "/api/sensors/{sensor}/containers/999", body: map[string]any{"label": "c", "registry": "registry.example.org",
		"images": map[string]string{"armhf": "honeysens/recon:armhf-1"}}, want: [4]int{401, 403, 404, 404}},
	"DELETE /api/sensors/:id/containers/:cid": {path: "/api/sensors/{sensor}/containers/999", want: [4]int{401, 403, 404, 404}},
	// The manager's delete succeeds, so the admin then finds nothing to delete.
	"DELETE /api/sensors/:id": {path: "/api/sensors/{sensor}", want: [4]int{401, 403, 200, 404}},

	// Sensor routes answer only HMAC-signed requests: no user, however privileged, gets in.
	"POST /api/events":                    {path: "/api/events", body: map[string]any{"sensor": 1, "events": []any{}}, want: [4]int{401, 401, 401, 401}},
	"POST /api/sensors/status":            {path: "/api/sensors/status", body: map[string]any{"sensor": 1}, want: [4]int{401, 401, 401, 401}},
	"GET /api/sensors/firmware":           {path: "/api/sensors/firmware", want: [4]int{401, 401, 401, 401}},
	"GET /api/platforms/firmware/:id/raw": {path: "/api/platforms/firmware/1/raw", want: [4]int{401, 401, 401, 401}},
	// No registry: everyone gets the same clear error.
	"GET /v2/*": {path: "/v2/", want: [4]int{404, 404, 404, 404}},

	"GET /*":  {path: "/", want: [4]int{200, 200, 200, 200}},
	"HEAD /*": {path: "/", want: [4]int{200, 200, 200, 200}},
}

func TestEveryRouteIsAuthorized(t *testing.T) {
	h := newHarness(t)
	registered := map[string]bool{}
	for _, r := range h.app.Web().App().GetRoutes(true) {
		registered[r.Method+" "+r.Path] = true
	}
	for key := range registered {
		if _, ok := routeCases[key]; !ok {
			t.Errorf("route %s is registered but has no entry in routeCases", key)
		}
	}
	for key, rc := range routeCases {
		if !registered[key] {
			t.Errorf("routeCases has %s, but no such route is registered", key)
			continue
		}
		t.Run(key, func(t *testing.T) {
			// A fresh appliance per route, so that one caller's change cannot decide another's outcome.
			h := newHarness(t)
			admin := h.login("admin", adminPassword)
			ids := map[string]int64{
				"{observer}": h.createUser(admin, "observer", 1, []int64{1}),
				"{victim}":   h.createUser(admin, "victim", 1, []int64{1}),
				"{other}":    h.createGroup(admin, "Other"),
			}
			h.createUser(admin, "manager", 2, []int64{1})
			sn := h.createSensor(admin, "sensor-1", 1)
			ids["{sensor}"] = sn.id
			h.ingestEvents(sn, sshEvent("192.0.2.1", time.Now().Unix())).mustStatus(t, 200)
			ids["{event}"] = 1
			rule := admin.do("POST", "/api/filters", map[string]any{"name": "noise", "group": 1,
				"conditions": []map[string]string{{"attribute": "service", "value": "recon"}}}).mustStatus(t, 201)
			ids["{filter}"] = int64(rule.json()["id"].(float64))
			callers := []*client{h.anon(), h.login("observer", "observer-password"), h.login("manager", "manager-password"), admin}
			path := rc.path
			for k, v := range ids {
				path = strings.ReplaceAll(path, k, fmt.Sprint(v))
			}
			method := strings.Fields(key)[0]
			for i, c := range callers {
				body := rc.body
				if f, ok := body.(func(int) any); ok {
					body = f(i)
				}
				res := c.do(method, path, body)
				if res.status != rc.want[i] {
					t.Errorf("%s %s as %s: status %d, want %d (%s)", method, path,
						[]string{"anonymous", "observer", "manager", "admin"}[i], res.status, rc.want[i], res.body)
				}
			}
		})
	}
}
