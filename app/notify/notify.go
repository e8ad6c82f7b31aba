// Package notify turns what happens on the appliance into e-mail: event mails after ingest
// commits, sensor timeout and back-online mails, the weekly summary and the storm guard's
// summaries. Every mail is written to the outbox (store) first, in the same transaction that
// records how far notification got; a separate delivery loop sends the outbox through the
// mail package and retries with backoff, so neither a crash nor an SMTP outage loses a mail.
package notify

import (
	"context"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"honeysens/app/mail"
	"honeysens/app/model"
	"honeysens/app/notify/outbox"
	"honeysens/app/store"
)

// Retention and retry policy of the outbox.
const (
	// GiveUpAfter is how long a mail is retried before it counts as failed.
	GiveUpAfter = 48 * time.Hour
	// keepDone is how long sent and failed mails stay visible under System.
	keepDone = 30 * 24 * time.Hour
)

// Service queues and delivers the appliance's mails.
type Service struct {
	st       *store.Store
	sender   *mail.Sender
	log      *slog.Logger
	defaults map[string]map[string]string // built-in template texts by language and type
	// Now is the clock (tests move it).
	Now func() time.Time
	// Backoff is the wait before attempt n+1 after n failed attempts.
	Backoff func(n int) time.Duration

	notifyWake chan struct{}
	courier    *outbox.Courier // delivers the mail outbox
	weekly     sync.Mutex      // one weekly run at a time: the Monday job and the catch-up may meet
}

// New builds the service; assets holds the default templates (mail/<type>.txt, mail/<language>/<type>.txt).
func New(st *store.Store, sender *mail.Sender, assets fs.FS, log *slog.Logger) (*Service, error) {
	defaults, err := Defaults(assets)
	if err != nil {
		return nil, err
	}
	s := &Service{st: st, sender: sender, log: log, defaults: defaults, Now: time.Now, Backoff: outbox.DefaultBackoff,
		notifyWake: make(chan struct{}, 1)}
	s.courier = newCourier(s)
	return s, nil
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// EventsCommitted is the ingest writer's hook: new events are on disk.
func (s *Service) EventsCommitted([]*model.Event) { signal(s.notifyWake) }

// StatusChanged is called after the timeout check recorded sensor status changes.
func (s *Service) StatusChanged() { signal(s.notifyWake) }

// OutboxChanged wakes the delivery loop (settings saved, retry asked for).
func (s *Service) OutboxChanged() { s.courier.Wake() }

// pollEvery is how often the notification loop looks even without a wake-up: the storm guard's windows end
// by the clock, and it bounds any missed signal.
const pollEvery = 15 * time.Second

// Run runs the notification and delivery loops until ctx ends.
func (s *Service) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.courier.Run(ctx)
	}()
	s.notifyLoop(ctx)
	<-done
}

func (s *Service) notifyLoop(ctx context.Context) {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		for {
			more, err := s.Pass(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Error("notification pass failed", "component", "notify", "err", err)
			}
			if err != nil || !more {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.notifyWake:
		case <-t.C:
		}
	}
}

// defaultsOf returns the built-in templates of a mail language (English for an unknown one).
func (s *Service) defaultsOf(language string) map[string]string {
	if d, ok := s.defaults[language]; ok {
		return d
	}
	return s.defaults["en"]
}

// settings reads the SMTP settings (with the stored password).
func (s *Service) settings(ctx context.Context) (model.SMTPSettings, error) {
	set := model.DefaultSMTPSettings()
	err := s.st.Settings(ctx, "smtp", &set)
	return set, err
}

// eventsPerPass bounds the events one pass turns into mails, so one transaction stays short.
const eventsPerPass = 500

// pausedMark is 1 while event mails are paused (mail off or nobody wants them): the "events"
// mark then stands still, and Resume moves it.
const pausedMark = "events_paused"

// Resume lets event mails start with the next event after a pause. Call it where the mail
// settings or the contacts are saved: events that came while paused are not mailed, and an
// event that comes right after the change is.
func (s *Service) Resume(ctx context.Context) error {
	paused, _, err := s.st.NotifyMark(ctx, pausedMark)
	if err != nil || paused == 0 {
		return err
	}
	newest, err := s.st.MaxEventID(ctx)
	if err != nil {
		return err
	}
	err = s.st.QueueMails(ctx, store.MailBatch{Marks: map[string]int64{"events": newest, pausedMark: 0}})
	if err == nil {
		s.StatusChanged() // a pass with the new settings
	}
	return err
}

// Pass turns new events, status changes and ended storm windows into queued mails, in one
// transaction with the marks that say how far it got. more reports that events are left.
func (s *Service) Pass(ctx context.Context) (more bool, err error) {
	// What happened is read before the settings and contacts: an event or status change that
	// comes in while this pass runs is left to the next pass (its commit wakes one), so it
	// is never passed over with settings or contacts older than itself.
	newest, err := s.st.MaxEventID(ctx)
	if err != nil {
		return false, err
	}
	notices, err := s.st.UnmailedStatusChanges(ctx)
	if err != nil {
		return false, err
	}
	set, err := s.settings(ctx)
	if err != nil {
		return false, err
	}
	now := s.Now()
	b := store.MailBatch{Marks: map[string]int64{}}
	p := &pass{s: s, set: set, now: now, batch: &b, newest: newest, notices: notices}
	if set.Enabled {
		if err := p.load(ctx); err != nil {
			return false, err
		}
	}
	if more, err = p.events(ctx); err != nil {
		return false, err
	}
	if err := p.statusChanges(ctx); err != nil {
		return false, err
	}
	if set.Enabled {
		p.closeStorms()
		for _, st := range p.grown {
			b.Storms = append(b.Storms, *st)
		}
	}
	if err := s.st.QueueMails(ctx, b); err != nil {
		return false, err
	}
	if len(b.Mails) > 0 {
		s.courier.Wake()
	}
	return more, nil
}

// pass is the state of one notification pass.
type pass struct {
	s          *Service
	set        model.SMTPSettings
	now        time.Time
	batch      *store.MailBatch
	recipients []store.Recipient
	templates  map[string]string
	words      *words                  // the texts of the mail language
	recent     map[string]int          // event mails per recipient in the storm window
	storms     map[string]*model.Storm // open folds
	grown      map[string]*model.Storm // folds this pass opened or grew
	sensors    map[int64]*model.Sensor
	groups     map[int64]string
	newest     int64                // the newest event when the pass began
	notices    []store.StatusNotice // the status changes still to notify when it began
}

func (p *pass) load(ctx context.Context) error {
	var err error
	if p.recipients, err = p.s.st.Recipients(ctx); err != nil {
		return err
	}
	p.words = wordsFor(p.set.Language)
	if p.templates, err = p.s.templates(ctx, p.set.Language); err != nil {
		return err
	}
	if p.recent, err = p.s.st.EventMailsSince(ctx, p.now.Add(-p.set.StormWindow())); err != nil {
		return err
	}
	if p.storms, err = p.s.st.Storms(ctx); err != nil {
		return err
	}
	p.grown = map[string]*model.Storm{}
	return nil
}

// queue adds a mail for one recipient.
func (p *pass) queue(kind, to, subject string, values map[string]string) {
	p.batch.Mails = append(p.batch.Mails, model.Mail{Kind: kind, Recipient: to, Subject: subject,
		Body: render(p.templates[kind], values), CreatedAt: p.now, GiveUpAt: p.now.Add(GiveUpAfter)})
}

// templates returns the text in use for each type: the operator's own, else the default in
// the mail language.
func (s *Service) templates(ctx context.Context, language string) (map[string]string, error) {
	custom, err := s.st.Templates(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range s.defaultsOf(language) {
		out[k] = v
		if c, ok := custom[k]; ok {
			out[k] = c
		}
	}
	return out, nil
}

// events queues the mails for events committed since the "events" mark. Mails are about what
// happens while notifications are on, never a flood of old events: with mail disabled or no
// event contacts, the pass records once that event mails are paused ("events_paused") and
// then writes nothing more, however many events come (a write per ingest commit would be
// wasted); Resume, called where the mail settings and the contacts are saved, moves the mark
// to the newest event when they are wanted again.
func (p *pass) events(ctx context.Context) (more bool, err error) {
	st := p.s.st
	mark, ok, err := st.NotifyMark(ctx, "events")
	if err != nil {
		return false, err
	}
	paused, _, err := st.NotifyMark(ctx, pausedMark)
	if err != nil {
		return false, err
	}
	wanted := false
	for _, r := range p.recipients {
		wanted = wanted || r.AllEvents || r.CriticalEvents
	}
	switch {
	case !ok || !p.set.Enabled || !wanted:
		if !ok || paused == 0 {
			p.batch.Marks["events"], p.batch.Marks[pausedMark] = p.newest, 1
		}
		return false, nil
	case paused != 0:
		// wanted again without Resume (a change outside the settings and contacts): start
		// from here rather than mail what came while paused
		p.batch.Marks["events"], p.batch.Marks[pausedMark] = p.newest, 0
		return false, nil
	}
	list, err := st.EventsAfter(ctx, mark, p.newest, eventsPerPass)
	if err != nil || len(list) == 0 {
		return false, err
	}
	for _, e := range list {
		if err := p.event(ctx, e); err != nil {
			return false, err
		}
	}
	p.batch.Marks["events"] = list[len(list)-1].ID
	return len(list) == eventsPerPass, nil
}

// event queues one event's mails, or folds the event into the storm summary of each recipient
// that reached its limit.
func (p *pass) event(ctx context.Context, e *model.Event) error {
	critical := e.Classification == model.ClassHoneypot
	var full *model.Event // read with details once, when the first mail needs them
	seen := map[string]bool{}
	for _, r := range p.recipients {
		if r.GroupID != e.GroupID || !(r.AllEvents || r.CriticalEvents && critical) || seen[r.Email] {
			continue
		}
		seen[r.Email] = true
		if st := p.storms[r.Email]; st != nil || p.recent[r.Email] >= p.set.StormLimit {
			p.fold(r.Email, e)
			continue
		}
		if full == nil {
			var err error
			if full, err = p.s.st.Event(ctx, e.ID, false); err != nil {
				if model.ErrorCode(err) == model.ErrNotFound {
					return nil // removed since it was committed: nothing to tell
				}
				return err
			}
		}
		p.recent[r.Email]++
		p.queue(model.MailEvent, r.Email, p.words.eventSubject(full), p.words.eventValues(full))
	}
	return nil
}

// fold adds e to the recipient's storm summary, opening one if needed.
func (p *pass) fold(to string, e *model.Event) {
	st := p.storms[to]
	if st == nil {
		st = &model.Storm{Recipient: to, OpenedAt: p.now, FirstAt: e.Timestamp}
		p.storms[to] = st
	}
	st.Events++
	if e.Classification == model.ClassHoneypot {
		st.Critical++
	}
	st.LastAt = e.Timestamp
	if len(st.Lines) < stormLines {
		st.Lines = append(st.Lines, p.words.eventLine(e))
	}
	p.grown[to] = st
}

// closeStorms turns every fold whose window has ended into its summary mail.
func (p *pass) closeStorms() {
	for to, st := range p.storms {
		if p.now.Before(st.OpenedAt.Add(p.set.StormWindow())) {
			continue
		}
		p.queue(model.MailStorm, to, p.words.stormSubject(st), p.words.stormValues(st, p.set.StormLimit))
		p.batch.ClosedStorms = append(p.batch.ClosedStorms, to)
		delete(p.grown, to)
		delete(p.storms, to)
	}
}

// statusChanges queues the timeout and back-online mails of newly recorded status changes.
func (p *pass) statusChanges(ctx context.Context) error {
	list := p.notices
	if len(list) == 0 {
		return nil
	}
	if p.set.Enabled {
		if err := p.loadSensors(ctx); err != nil {
			return err
		}
	}
	// When a sensor went offline is what its previous change said; within this pass the
	// changes come oldest first.
	offlineSince := map[int64]time.Time{}
	for _, n := range list {
		p.batch.StatusMailed = append(p.batch.StatusMailed, n.ID)
		if !n.Online {
			offlineSince[n.SensorID] = n.Time
		}
		sn := p.sensors[n.SensorID]
		if !p.set.Enabled || sn == nil || (n.Online && !n.Back) {
			continue // mail off, sensor gone, or its first contact
		}
		for _, to := range p.addresses(sn.GroupID, func(r store.Recipient) bool { return r.SensorTimeout }) {
			if !n.Online {
				p.queue(model.MailTimeout, to, p.words.timeoutSubject(sn), p.words.timeoutValues(sn, p.groups[sn.GroupID], n.Time))
				continue
			}
			since, ok := offlineSince[n.SensorID]
			if !ok {
				var err error
				if since, err = p.s.offlineSince(ctx, n); err != nil {
					return err
				}
			}
			p.queue(model.MailOnline, to, p.words.onlineSubject(sn), onlineValues(sn, p.groups[sn.GroupID], since, n.Time))
		}
	}
	return nil
}

func (p *pass) loadSensors(ctx context.Context) error {
	list, err := p.s.st.Sensors(ctx)
	if err != nil {
		return err
	}
	groups, err := p.s.st.Groups(ctx)
	if err != nil {
		return err
	}
	p.sensors, p.groups = map[int64]*model.Sensor{}, map[int64]string{}
	for _, sn := range list {
		p.sensors[sn.ID] = sn
	}
	for _, g := range groups {
		p.groups[g.ID] = g.Name
	}
	return nil
}

// offlineSince finds when the sensor's outage before the back-online change n began.
func (s *Service) offlineSince(ctx context.Context, n store.StatusNotice) (time.Time, error) {
	hist, err := s.st.StatusHistory(ctx, n.SensorID, 50)
	if err != nil {
		return time.Time{}, err
	}
	for _, c := range hist {
		if !c.Online && c.Time.Before(n.Time) {
			return c.Time, nil
		}
	}
	return n.Time, nil // the outage's row is older than the history read: say "0s" rather than fail
}

// addresses returns the distinct addresses of the group's contacts that want a kind of mail.
func (p *pass) addresses(group int64, wants func(store.Recipient) bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range p.recipients {
		if r.GroupID == group && wants(r) && !seen[r.Email] {
			seen[r.Email] = true
			out = append(out, r.Email)
		}
	}
	return out
}
