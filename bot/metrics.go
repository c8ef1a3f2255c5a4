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
		Outbox: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "szr_outbox_deliveries_total", Help: "Outbox deliveries by channel and result.",
		}, []string{"channel", "result"}),
	}
	if reg != nil {
		reg.MustRegister(m.Events, m.DedupeHits, m.Busy, m.Late, m.Outbox)
	}
	return m
}
