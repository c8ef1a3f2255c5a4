package bot

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the bot's Prometheus series.
type Metrics struct {
	Events     *prometheus.CounterVec // dialogue events by flow
	DedupeHits prometheus.Counter
	Busy       prometheus.Counter // pushes answered with the busy text
	Late       prometheus.Counter // pushes answered after the budget, by 客服 message
	Outbox     *prometheus.CounterVec
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
