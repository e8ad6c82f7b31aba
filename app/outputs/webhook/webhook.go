// Package webhook forwards events as HTTP POSTs: the API's event JSON, batches of it as JSON
// lines, a Slack/Mattermost message or a Microsoft Teams card, signed with an HMAC of the body
// when a secret is set.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"honeysens/app/model"
	"honeysens/app/outputs"
)

// Formats of the body.
const (
	JSON   = "json"
	NDJSON = "ndjson" // up to batchSize events per request, one json body per line
	Slack  = "slack"  // Slack and Mattermost incoming webhooks
	Teams  = "teams"
)

// batchSize is how many events one ndjson request carries: log collectors (Logstash, Vector,
// Fluent Bit, Splunk HEC) take such batches, and one exchange for many events keeps delivery
// up with ingest where an exchange per event costs the appliance's CPU.
const batchSize = 100

// Headers of every request.
const (
	SignatureHeader = "X-HoneySens-Signature" // sha256=<hex HMAC-SHA256 of the body with the secret>
	TimestampHeader = "X-HoneySens-Timestamp" // Unix seconds when the request was sent
)

// timeout bounds one request with its answer, so a stalled receiver holds the queue instead of
// the courier.
const timeout = 15 * time.Second

// Config is a webhook output's settings. Secret is never shown again once saved.
type Config struct {
	URL    string  `json:"url"`
	Secret *string `json:"secret,omitempty"` // nil when changing: keep the stored one; "": none
	Format string  `json:"format,omitempty"`
}

// publicConfig is what the API shows: whether a secret is set, not the secret.
type publicConfig struct {
	URL       string `json:"url"`
	Format    string `json:"format"`
	HasSecret bool   `json:"has_secret"`
}

// Kind is the webhook output type for the outputs service. Client may be set by tests; nil
// builds one that refuses redirects.
type Kind struct {
	Client *http.Client
}

func parse(raw json.RawMessage) (Config, error) {
	c := Config{Format: JSON}
	err := outputs.DecodeConfig(raw, &c, "The webhook settings are not valid JSON.")
	return c, err
}

// Config checks the settings; a secret left out is kept from old.
func (Kind) Config(raw, old json.RawMessage) (json.RawMessage, error) {
	c, err := parse(raw)
	if err != nil {
		return nil, err
	}
	f := model.FieldErrors{}
	c.URL = strings.TrimSpace(c.URL)
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(c.URL) > 2000 {
		f.Add("config.url", "Enter the webhook's http:// or https:// address.")
	}
	if c.Format != JSON && c.Format != NDJSON && c.Format != Slack && c.Format != Teams {
		f.Add("config.format", "Use json, ndjson, slack or teams.")
	}
	if c.Secret == nil && old != nil {
		prev, _ := parse(old)
		c.Secret = prev.Secret
	}
	if c.Secret != nil && len(*c.Secret) > 256 {
		f.Add("config.secret", "Use a secret of at most 256 characters.")
	}
	if c.Secret != nil && *c.Secret == "" {
		c.Secret = nil
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return json.Marshal(c)
}

// Public returns the settings without the secret.
func (Kind) Public(raw json.RawMessage) json.RawMessage {
	c, _ := parse(raw)
	b, _ := json.Marshal(publicConfig{URL: c.URL, Format: c.Format, HasSecret: c.Secret != nil})
	return b
}

// Open builds the sender of checked settings.
func (k Kind) Open(raw json.RawMessage) (outputs.Sender, error) {
	c, err := parse(raw)
	if err != nil {
		return nil, err
	}
	client := k.Client
	if client == nil {
		// One kept-alive connection for each request under way.
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.MaxIdleConnsPerHost = inFlight
		client = &http.Client{Timeout: timeout, Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // the answer is judged as it is: only the configured URL gets events
		}}
	}
	return &sender{cfg: c, client: client, now: time.Now}, nil
}

type sender struct {
	cfg    Config
	client *http.Client
	now    func() time.Time
}

// perRequest is how many events one request carries in the configured format.
func (s *sender) perRequest() int {
	if s.cfg.Format == NDJSON {
		return batchSize
	}
	return 1
}

// body renders one request's events in the configured format, with its content type.
func (s *sender) body(events []*model.Event) ([]byte, string, error) {
	switch s.cfg.Format {
	case Slack:
		b, err := json.Marshal(slackMessage(events[0]))
		return b, "application/json", err
	case Teams:
		b, err := json.Marshal(teamsMessage(events[0]))
		return b, "application/json", err
	case NDJSON:
		return jsonLines(events)
	}
	b, err := json.Marshal(newEventJSON(events[0]))
	return b, "application/json", err
}

// jsonLines is the events' json bodies, each on its own line.
func jsonLines(events []*model.Event) ([]byte, string, error) {
	var b bytes.Buffer
	for _, e := range events {
		line, err := json.Marshal(newEventJSON(e))
		if err != nil {
			return nil, "", err
		}
		b.Write(line) // JSON text has no raw new line: the line holds the whole event
		b.WriteByte('\n')
	}
	return b.Bytes(), "application/x-ndjson", nil
}

// inFlight is how many requests a sender has under way at once. One after the other, delivery
// would wait a whole exchange with the receiver per event and fall behind ingest; a few at
// once keep up. They start in the queue's order, so a receiver may see neighbouring events
// in a different order.
const inFlight = 4

// Send posts the events, inFlight requests at a time in the queue's order, and returns the
// outcome of every event in a request it started: a request's outcome is each of its events'
// (a batch refused as too large goes again in halves, see deliver).
// After a failure that holds the queue it starts no more; the requests under way finish, and
// the events of each one the receiver took count as delivered.
func (s *sender) Send(ctx context.Context, events []*model.Event) []error {
	results := make([]error, len(events))
	per := s.perRequest()
	var mu sync.Mutex
	started, held := 0, false
	// take returns the events [from, to) of the next request, or false when none is left or
	// the queue is held.
	take := func() (from, to int, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		if held || started == len(events) {
			return 0, 0, false
		}
		from, started = started, min(started+per, len(events))
		return from, started, true
	}
	var wg sync.WaitGroup
	for range min(inFlight, (len(events)+per-1)/per) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for from, to, ok := take(); ok; from, to, ok = take() {
				if !s.deliver(ctx, events[from:to], results[from:to]) {
					mu.Lock()
					held = true
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return results[:started]
}

// tooLarge marks a receiver's 413: the request was more than it takes at once.
type tooLarge struct{ error }

func (t tooLarge) Unwrap() error { return t.error }

// deliver posts events in one request and puts each one's outcome in results. A receiver that
// refuses a batch of JSON lines as too large (a proxy's body limit: nginx takes 1 MB by
// default) gets it again in two halves, down to single events, so only an event that is too
// large alone fails for good. It reports false after a failure that holds the queue.
func (s *sender) deliver(ctx context.Context, events []*model.Event, results []error) bool {
	err := s.post(ctx, events)
	if errors.As(err, new(tooLarge)) && len(events) > 1 {
		half := len(events) / 2
		if !s.deliver(ctx, events[:half], results[:half]) {
			for i := half; i < len(events); i++ {
				results[i] = results[half-1]
			}
			return false
		}
		return s.deliver(ctx, events[half:], results[half:])
	}
	for i := range results {
		results[i] = err
	}
	return err == nil || outputs.Refused(err)
}

// post sends one request's events. 2xx is delivered; a 4xx other than 408 and 429 is the
// receiver's final answer about these events; anything else (no answer, a redirect, 408, 429,
// 5xx) holds the queue until the receiver is back.
func (s *sender) post(ctx context.Context, events []*model.Event) error {
	body, contentType, err := s.body(events)
	if err != nil {
		return outputs.Refuse(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "HoneySens")
	req.Header.Set(TimestampHeader, strconv.FormatInt(s.now().Unix(), 10))
	if s.cfg.Secret != nil {
		req.Header.Set(SignatureHeader, Sign(*s.cfg.Secret, body))
	}
	res, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may carry a token in its path
		}
		return fmt.Errorf("webhook: %w", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	// Reading the rest lets the connection be reused; a failure only means it is not.
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	switch code := res.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code >= 300 && code < 400:
		return fmt.Errorf("webhook: answered %s, a redirect, which is not followed: correct the URL", res.Status)
	case code == http.StatusRequestEntityTooLarge:
		return outputs.Refuse(tooLarge{fmt.Errorf("webhook: answered %s: %s", res.Status, printable(answer))})
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests:
		return outputs.Refuse(fmt.Errorf("webhook: answered %s: %s", res.Status, printable(answer)))
	default:
		return fmt.Errorf("webhook: answered %s: %s", res.Status, printable(answer))
	}
}

// Close closes the sender's idle connections.
func (s *sender) Close() error {
	s.client.CloseIdleConnections()
	return nil
}

// Sign returns the signature header's value: sha256= and the hex HMAC-SHA256 of the body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// printable keeps a receiver's answer to one line of printable text for the error shown in
// the UI.
func printable(b []byte) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(string(b), "?")))
}
