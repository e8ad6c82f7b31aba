package notify

import (
	"context"
	"time"

	"honeysens/app/model"
	"honeysens/app/store"
)

// WeekEnd returns the end of the newest week that has ended by now: the latest Monday at the
// settings' time of day, in their time zone, that is not after now.
func WeekEnd(set model.SMTPSettings, now time.Time) (time.Time, error) {
	loc, err := set.Location()
	if err != nil {
		return time.Time{}, err
	}
	hour, minute, err := set.WeeklyClock()
	if err != nil {
		return time.Time{}, err
	}
	local := now.In(loc)
	back := (int(local.Weekday()) - int(time.Monday) + 7) % 7
	end := time.Date(local.Year(), local.Month(), local.Day()-back, hour, minute, 0, 0, loc)
	if end.After(now) {
		end = end.AddDate(0, 0, -7)
	}
	return end, nil
}

// maxSummary bounds the period of one summary after a long time without one.
const maxSummary = 28 * 24 * time.Hour

// Weekly queues the weekly summaries of the newest ended week unless they are queued already:
// the scheduled Monday run and the catch-up after the appliance was down both call it, and
// the "weekly" mark makes it idempotent. The period starts where the last summary ended (so a
// changed time of day neither repeats nor skips hours, and a summary after weeks of downtime
// covers them, up to maxSummary). On the first run ever, and while mail is disabled, it only
// records the week as done. A recipient gets one mail covering all its groups, and no mail
// for a period without events in them.
func (s *Service) Weekly(ctx context.Context) error {
	s.weekly.Lock()
	defer s.weekly.Unlock()
	set, err := s.settings(ctx)
	if err != nil {
		return err
	}
	now := s.Now()
	end, err := WeekEnd(set, now)
	if err != nil {
		return err
	}
	last, seen, err := s.st.NotifyMark(ctx, "weekly")
	if err != nil || (seen && last >= end.UnixMilli()) {
		return err
	}
	b := store.MailBatch{Marks: map[string]int64{"weekly": end.UnixMilli()}}
	from := end.AddDate(0, 0, -7)
	if seen && last < end.UnixMilli() && end.Sub(time.UnixMilli(last)) <= maxSummary {
		from = time.UnixMilli(last).In(end.Location())
	}
	if seen && set.Enabled {
		if b.Mails, err = s.weeklyMails(ctx, set.Language, from, end, now); err != nil {
			return err
		}
	}
	if err := s.st.QueueMails(ctx, b); err != nil {
		return err
	}
	if len(b.Mails) > 0 {
		s.courier.Wake()
	}
	return nil
}

func (s *Service) weeklyMails(ctx context.Context, language string, from, to, now time.Time) ([]model.Mail, error) {
	recipients, err := s.st.Recipients(ctx)
	if err != nil {
		return nil, err
	}
	groupsOf := map[string][]int64{}
	var order []string
	for _, r := range recipients {
		if !r.WeeklySummary {
			continue
		}
		if _, ok := groupsOf[r.Email]; !ok {
			order = append(order, r.Email)
		}
		groupsOf[r.Email] = append(groupsOf[r.Email], r.GroupID)
	}
	if len(order) == 0 {
		return nil, nil
	}
	stats, err := s.st.WeekStats(ctx, from, to, weeklyCritical)
	if err != nil {
		return nil, err
	}
	groups, err := s.st.Groups(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, g := range groups {
		names[g.ID] = g.Name
	}
	templates, err := s.templates(ctx, language)
	w := wordsFor(language)
	if err != nil {
		return nil, err
	}
	var mails []model.Mail
	for _, addr := range order {
		var weeks []*store.GroupWeek
		seen := map[int64]bool{}
		for _, gid := range groupsOf[addr] {
			if w := stats[gid]; w != nil && !seen[gid] {
				seen[gid] = true
				weeks = append(weeks, w)
			}
		}
		if len(weeks) == 0 {
			continue
		}
		mails = append(mails, model.Mail{Kind: model.MailWeekly, Recipient: addr, Subject: w.weeklySubject(from, to),
			Body: render(templates[model.MailWeekly], w.weeklyValues(from, to, weeks, names)), CreatedAt: now, GiveUpAt: now.Add(GiveUpAfter)})
	}
	return mails, nil
}
