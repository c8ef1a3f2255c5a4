package bot

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bot's Prometheus series.
type Metrics struct {
	Events     *prometheus.CounterVec // dialogue events by flow
	DedupeHits prometheus.Counter
	Busy       prometheus.Counter // pushes answered with the busy text
	Late       prometheus.Counter // pushes answered after the budget, by 客服 message
	Deferred   prometheus.Counter // pushes kept for a backend to come back, answered later by 客服 message
	TakeOvers  prometheus.Counter // deliveries taken over from a turn that died
	FollowUps  *prometheus.CounterVec
	Outbox     *prometheus.CounterVec

	events sync.Map // flow -> prometheus.Counter of Events, looked up once
}

// Event counts a dialogue event of flow. The counter of each flow is
// looked up in the vector once and kept: the hot path then neither hashes
// the label nor takes the vector's lock.
func (m *Metrics) Event(flow string) {
	if c, ok := m.events.Load(flow); ok {
		c.(prometheus.Counter).Inc()
		return
	}
	c, _ := m.events.LoadOrStore(flow, m.Events.WithLabelValues(flow))
	c.(prometheus.Counter).Inc()
}

// FollowUp counts a reply sent (or not) as a 客服 message because the
// webhook answered without it: cause is late, deferred or given_up.
func (m *Metrics) FollowUp(cause, result string) { m.FollowUps.WithLabelValues(cause, result).Inc() }

// NewMetrics creates the series and registers them with reg (nil: unregistered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "szr_dialog_events_total", Help: "Dialogue events handled, by flow.",
		}, []string{"flow"}),
		DedupeHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "szr_dedupe_hits_total", Help: "Repeated WeChat deliveries answered from the dedupe store.",
		}),
		Busy: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "szr_busy_replies_total", Help: "Pushes answered with the busy text because a backend failed.",
		}),
		Late: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "szr_late_replies_total", Help: "Pushes that ran past the budget and were answered by 客服 message.",
		}),
		Deferred: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "szr_deferred_pushes_total", Help: "Pushes whose backend failed, kept and handled once it was back.",
		}),
		TakeOvers: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "szr_delivery_takeovers_total", Help: "Retried deliveries handled afresh because the turn that claimed them died.",
		}),
		FollowUps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "szr_followup_replies_total", Help: "Replies sent as 客服 messages because the webhook answered without them, by cause and result.",
		}, []string{"cause", "result"}),
		Outbox: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "szr_outbox_deliveries_total", Help: "Outbox deliveries by channel and result.",
		}, []string{"channel", "result"}),
	}
	if reg != nil {
		reg.MustRegister(m.Events, m.DedupeHits, m.Busy, m.Late, m.Deferred, m.TakeOvers, m.FollowUps, m.Outbox)
	}
	return m
}
