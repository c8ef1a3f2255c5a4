package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Redis is the key-value side of the store: a go-redis universal client
// (single node, cluster or sentinel), or an in-process server.
type Redis struct {
	redis.UniversalClient
	embedded  *miniredis.Miniredis
	stopClock func()
}

// OpenRedis connects to addrs (a comma list means cluster or sentinel), or
// starts an in-process Redis-compatible server when addrs is empty.
func OpenRedis(ctx context.Context, log *slog.Logger, addrs, password string, db int) (*Redis, error) {
	routeDriverLogs(log)
	r := &Redis{}
	if addrs == "" {
		m := miniredis.NewMiniRedis()
		if err := m.Start(); err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		r.embedded = m
		r.stopClock = runEmbeddedClock(m)
		addrs = m.Addr()
		log.Warn("using the in-process Redis: dialogue state and dedupe are not durable and not shared between instances",
			slog.String("addr", addrs))
	}
	r.UniversalClient = redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:        strings.Split(addrs, ","),
		Password:     password,
		DB:           db,
		DialTimeout:  time.Second,
		ReadTimeout:  time.Second,
		WriteTimeout: time.Second,
		PoolSize:     64,
		MaxRetries:   1,
		// RESP2: the service subscribes to nothing, and RESP3 has the
		// client look for server push notifications before every read
		// (about 2% of a push's CPU).
		Protocol: 2,
	})
	if err := r.Ping(ctx).Err(); err != nil {
		r.Close()
		return nil, fmt.Errorf("ping redis %s: %w", addrs, err)
	}
	return r, nil
}

// embeddedTick is how often the in-process server's TTL clock advances.
const embeddedTick = 250 * time.Millisecond

// runEmbeddedClock advances the in-process server's TTLs with the wall
// clock: miniredis expires keys only when told time has passed, and
// without this dedupe records, states and half-filled forms with personal
// data would be kept for ever. It returns the function that stops it.
func runEmbeddedClock(m *miniredis.Miniredis) func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(embeddedTick)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				m.SetTime(now)
				m.FastForward(now.Sub(last))
				last = now
			}
		}
	}()
	return func() {
		close(stop)
		<-done
	}
}

// Embedded returns the in-process server, or nil with a real Redis.
func (r *Redis) Embedded() *miniredis.Miniredis { return r.embedded }

// Close closes the client and stops an in-process server.
func (r *Redis) Close() error {
	err := r.UniversalClient.Close()
	if r.embedded != nil {
		r.stopClock()
		r.embedded.Close()
	}
	return err
}

// DedupeTTL is how long a delivery's dedupe record (and its reply) is kept.
// WeChat retries within about 15 s, but a push is accepted while its
// timestamp is within ±5 minutes of now: a captured encrypted push replayed
// up to 10 minutes after it was sent must still find its record.
const DedupeTTL = 12 * time.Minute

// StateTTL is how long a follower's state is kept by default: the 48 h in
// which a 客服 message may be sent.
const StateTTL = 48 * time.Hour

// Script arguments of the usual durations, boxed once: converting an int64
// to an interface allocates, and the hot path passes four a push.
var (
	dedupeTTLArg any = DedupeTTL.Milliseconds()
	stateTTLArg  any = StateTTL.Milliseconds()
	turnLeaseArg any = TurnLease.Milliseconds()
)

// msArg is d in milliseconds as a script argument.
func msArg(d time.Duration) any {
	switch d {
	case DedupeTTL:
		return dedupeTTLArg
	case StateTTL:
		return stateTTLArg
	case TurnLease:
		return turnLeaseArg
	}
	return d.Milliseconds()
}

// Pending is the dedupe value while the first delivery is being handled.
const Pending = "\x00pending"

// Sessions keeps dialogue state and webhook dedupe records in Redis.
type Sessions struct {
	rdb       redis.UniversalClient
	prefix    string
	StateTTL  time.Duration // how long a state is kept (the 48 h 客服 window)
	DedupeTTL time.Duration // outlives the ±5 min timestamp window, so a captured push is never handled twice
	instance  string        // tells this process's turn tokens from other instances'
	batch     *scriptBatcher
}

var _ dialog.StateStore = (*Sessions)(nil)

// NewSessions returns a session store whose keys start with prefix.
func NewSessions(rdb redis.UniversalClient, prefix string) *Sessions {
	b := make([]byte, 6)
	rand.Read(b)
	return &Sessions{rdb: rdb, prefix: prefix, StateTTL: StateTTL, DedupeTTL: DedupeTTL, instance: hex.EncodeToString(b),
		batch: newScriptBatcher(rdb)}
}

func (s *Sessions) stateKey(openID string) string { return s.prefix + "state:{" + openID + "}" }

// dedupeKey shares the state key's hash tag, so that one script can touch
// both on a Redis Cluster.
func (s *Sessions) dedupeKey(openID, key string) string {
	return s.prefix + "dedupe:{" + openID + "}:" + key
}

// stateRecord is the Redis encoding of dialog.State; V is bumped when the
// shape changes so an old record is dropped instead of misread. R, the
// state's revision, comes first so that the finish script can read it
// (a Lua pattern on the value's start); a record without it (written by
// the release before) has revision 0, and that release ignores it.
type stateRecord struct {
	R         int64             `json:"r"`
	V         int               `json:"v"`
	Flow      string            `json:"flow,omitempty"`
	Step      string            `json:"step,omitempty"`
	History   []string          `json:"hist,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
	Picks     []string          `json:"picks,omitempty"`
	Tier      int               `json:"tier,omitempty"`
	Criteria  []string          `json:"crit,omitempty"`
	CheckedAt int64             `json:"checked,omitempty"`
	County    string            `json:"county,omitempty"`
	Applied   int               `json:"app,omitempty"`
	Ticket    int64             `json:"tk,omitempty"`
	Unplaced  string            `json:"unp,omitempty"`
	EntName   string            `json:"en,omitempty"`
	EntCode   string            `json:"ec,omitempty"`
	EntCounty string            `json:"eco,omitempty"`
	Contact   string            `json:"ect,omitempty"` // the contact
	EntPhone  string            `json:"eph,omitempty"`
	Staff     string            `json:"staff,omitempty"`
	Topic     string            `json:"topic,omitempty"`
	Updated   int64             `json:"at"`
}

const stateVersion = 1

func toRecord(st dialog.State) stateRecord {
	r := stateRecord{
		V: stateVersion, Flow: st.Flow, Step: st.Step, History: st.History, Fields: st.Fields, Picks: st.Picks,
		Tier: int(st.Profile.Tier), Criteria: st.Profile.Criteria, County: st.Profile.County,
		Applied: int(st.Profile.Applied), Ticket: int64(st.Profile.Ticket), Unplaced: st.Unplaced,
		Updated: st.UpdatedAt.UnixMilli(),
		EntName: st.Profile.Enterprise.Name, EntCode: st.Profile.Enterprise.Code, EntCounty: st.Profile.Enterprise.County,
		Contact: st.Profile.Enterprise.Contact, EntPhone: st.Profile.Enterprise.Phone, Staff: st.Profile.Staff,
		Topic: st.Topic,
	}
	if !st.Profile.CheckedAt.IsZero() {
		r.CheckedAt = st.Profile.CheckedAt.Unix()
	}
	return r
}

func toState(r stateRecord) dialog.State {
	st := dialog.State{
		Flow: r.Flow, Step: r.Step, History: r.History, Fields: r.Fields, Picks: r.Picks, Unplaced: r.Unplaced,
		Profile: dialog.Profile{Tier: domain.Tier(r.Tier), Criteria: r.Criteria, County: r.County,
			Applied: dialog.Applied(r.Applied), Ticket: uint64(max(r.Ticket, 0)),
			Enterprise: dialog.Enterprise{Name: r.EntName, Code: r.EntCode, County: r.EntCounty, Contact: r.Contact, Phone: r.EntPhone},
			Staff:      r.Staff},
		Topic: r.Topic,
	}
	if r.CheckedAt != 0 {
		st.Profile.CheckedAt = time.Unix(r.CheckedAt, 0).UTC()
	}
	if r.Updated != 0 {
		st.UpdatedAt = time.UnixMilli(r.Updated).UTC()
	}
	return st
}

func decodeState(openID string, raw string) (dialog.State, error) {
	st, _, err := decodeStateRev(openID, raw)
	return st, err
}

// decodeStateRev decodes a state and its revision.
func decodeStateRev(openID string, raw string) (dialog.State, int64, error) {
	r, ok := decodeRecordString(raw)
	if !ok {
		r = stateRecord{}
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return dialog.State{}, 0, fmt.Errorf("decode state %s: %w", openID, err)
		}
	}
	if r.V != stateVersion {
		return dialog.State{}, r.R, dialog.ErrNoState
	}
	return toState(r), r.R, nil
}

// Load returns the follower's state, or dialog.ErrNoState.
func (s *Sessions) Load(ctx context.Context, openID string) (dialog.State, error) {
	raw, err := s.rdb.Get(ctx, s.stateKey(openID)).Result()
	if errors.Is(err, redis.Nil) {
		return dialog.State{}, dialog.ErrNoState
	}
	if err != nil {
		return dialog.State{}, fmt.Errorf("load state %s: %w", openID, err)
	}
	return decodeState(openID, raw)
}

// Save stores the follower's state and refreshes its TTL.
func (s *Sessions) Save(ctx context.Context, openID string, st dialog.State) error {
	raw := encodeRecord(toRecord(st))
	if err := s.rdb.Set(ctx, s.stateKey(openID), raw, s.StateTTL).Err(); err != nil {
		return fmt.Errorf("save state %s: %w", openID, err)
	}
	return nil
}

// claimScript claims a dedupe key, takes the follower's turn lock and reads
// the state in one round trip: 3 commands for a first delivery. It returns
// {1, state} for a first delivery, {3, state} for a delivery whose first
// handler died (taken over: handle it as a first delivery), {0, earlier
// reply} for a repeat (Pending while the first is still being handled), and
// {2} while another message of the same follower is being handled (the
// caller waits for its turn; the claim is undone). SET NX GET needs Redis
// 7.0.
//
// The pending mark lives as long as the turn's lease, which the running
// turn renews (holdScript): a crashed instance's claim ends with its lease
// instead of blocking the delivery for the dedupe TTL. A pending mark whose
// follower has no turn running belongs to a dead turn (a live one holds the
// lock from claim to finish), so the claim that finds it takes the delivery
// over; the script runs atomically, so of two racing retries one takes it
// over and the other finds the lock held and waits for its reply. The mark
// stays the bare Pending value, which the release before reads too.
//
// KEYS: dedupe, state, turn. ARGV: pending marker, turn lease (ms), turn
// token.
var claimScript = redis.NewScript(`
local d = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'GET', 'PX', ARGV[2])
if d and d ~= ARGV[1] then return {0, d} end
if not redis.call('SET', KEYS[3], ARGV[3], 'NX', 'PX', ARGV[2]) then
  if d then return {0, d} end
  redis.call('DEL', KEYS[1])
  return {2, false}
end
local status = 1
if d then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  status = 3
end
return {status, redis.call('GET', KEYS[2]) or false}
`)

// holdScript renews a running turn's lease and its pending mark; it returns
// 0 when the turn no longer holds its lock.
//
// KEYS: dedupe, state, turn. ARGV: turn token, turn lease (ms), pending
// marker.
var holdScript = redis.NewScript(`
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[3], ARGV[2])
if redis.call('GET', KEYS[1]) == ARGV[3] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`)

// finishScript stores the reply for repeats and, when given, the new state,
// then gives the turn lock back: 3 commands. While the turn still holds its
// lock no other turn can have saved since it read the state, so it saves
// without looking. A turn that outlived its lease puts back the lock of the
// turn that holds it now (with a fresh lease: its remaining one went with
// GETDEL) and saves only when no other turn holds the lock and the state's
// revision (the "r" at the start of the stored JSON) is still the one it
// read, so a slow turn never overwrites a newer one. It returns 0 when the
// state was not written.
//
// KEYS: dedupe, state, turn. ARGV: reply, dedupe TTL (ms), turn token, new
// state (empty: leave it), state TTL (ms), revision read, turn lease (ms).
var finishScript = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local t = redis.call('GETDEL', KEYS[3])
if t == ARGV[3] then
  if ARGV[4] ~= '' then redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[5]) end
  return 1
end
if t then redis.call('SET', KEYS[3], t, 'PX', ARGV[7]) end
if ARGV[4] == '' then return 1 end
if t then return 0 end
local cur = redis.call('GET', KEYS[2])
local rev = '0'
if cur then rev = string.match(cur, '^{"r":(%d+)') or '0' end
if rev ~= ARGV[6] then return 0 end
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[5])
return 1
`)

// releaseScript forgets a claim whose handling failed and gives the lock back.
var releaseScript = redis.NewScript(`
redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
return 1
`)

// TurnLease bounds how long one message may hold its follower's turn
// without renewing it (Hold renews it while the turn runs): a crashed
// instance's lock and pending claim expire after it.
const TurnLease = 5 * time.Second

// ErrBusyTurn is returned by Begin while another message of the same
// follower is being handled.
var ErrBusyTurn = errors.New("another message of this follower is in progress")

// Claim is the outcome of Sessions.Begin.
type Claim struct {
	First    bool         // this delivery is the first: handle it
	TakeOver bool         // First, and an earlier handler of this delivery died before finishing
	State    dialog.State // the follower's state (First only)
	HasState bool         // a state was stored (First only)
	Reply    []byte       // the earlier reply (repeats; Pending while still in progress)

	key, token string
	rev        string   // the state's revision when read
	keys       []string // dedupe, state and turn keys, made once for Begin and Finish
}

// ErrStaleTurn is returned by Finish when a newer turn saved the follower's
// state first; the reply was stored, the older state dropped.
var ErrStaleTurn = errors.New("a newer turn saved the state first")

func (s *Sessions) keys(dedupeKey, openID string) []string {
	return []string{s.dedupeKey(openID, dedupeKey), s.stateKey(openID), s.prefix + "turn:{" + openID + "}"}
}

var turnSeq atomic.Uint64

// Begin claims a delivery by its dedupe key and, when it is the first,
// takes the follower's turn and returns its state, in one round trip. Two
// different messages of one follower are handled one after the other, so
// neither overwrites the other's state; ErrBusyTurn says to wait.
func (s *Sessions) Begin(ctx context.Context, dedupeKey, openID string) (Claim, error) {
	return s.BeginBound(ctx, dedupeKey, openID, nil)
}

// BeginBound is Begin for a plaintext push whose signed (timestamp, nonce)
// must be bound to its body (bind; nil for none). The bind goes to Redis in
// the claim's pipeline, right after the claim script, so it costs no round
// trip of its own. When the
// nonce was first seen with another body, the claim is undone (a first
// claim is released: the dedupe key it took is deleted and the turn given
// back; an earlier reply is not handed out) and ErrReplayed is returned:
// the follower's state is neither changed nor returned. When the bind's
// result is unknown (Redis failed it), the claim is undone too and the push
// answers busy: WeChat retries it.
func (s *Sessions) BeginBound(ctx context.Context, dedupeKey, openID string, bind *NonceBind) (Claim, error) {
	token := strconv.FormatUint(turnSeq.Add(1), 36) + "-" + s.instance
	keys := s.keys(dedupeKey, openID)
	cmd, bound := s.batch.RunBound(ctx, bind, claimScript, keys, Pending, msArg(TurnLease), token)
	res, err := cmd.Slice()
	if err != nil {
		return Claim{}, fmt.Errorf("claim %s: %w", dedupeKey, err)
	}
	status, _ := res[0].(int64)
	var val string
	if len(res) > 1 {
		val, _ = res[1].(string)
	}
	if bind != nil {
		if berr := checkBind(bound, bind); berr != nil {
			if status == 1 || status == 3 {
				if rerr := releaseScript.Run(context.WithoutCancel(ctx), s.rdb, keys, token).Err(); rerr != nil {
					berr = errors.Join(berr, fmt.Errorf("release %s: %w", dedupeKey, rerr))
				}
			}
			return Claim{}, fmt.Errorf("claim %s: %w", dedupeKey, berr)
		}
	}
	switch status {
	case 0:
		return Claim{Reply: []byte(val)}, nil
	case 2:
		return Claim{}, ErrBusyTurn
	}
	c := Claim{First: true, TakeOver: status == 3, key: dedupeKey, token: token, rev: "0", keys: keys}
	if val != "" {
		st, rev, err := decodeStateRev(openID, val)
		c.rev = strconv.FormatInt(rev, 10)
		switch {
		case errors.Is(err, dialog.ErrNoState):
		case err != nil:
			return Claim{}, err
		default:
			c.State, c.HasState = st, true
		}
	}
	return c, nil
}

// Bind checks a nonce bind alone, for a push that makes no claim (a mass
// send's result, a message kind the bot ignores): nil, ErrReplayed, or the
// error of a Redis that did not answer.
func (s *Sessions) Bind(ctx context.Context, bind *NonceBind) error {
	cmd := redis.NewStringCmd(ctx, "set", bind.Key, bind.Sum[:], "nx", "get", "px", nonceTTLms)
	_ = s.rdb.Process(ctx, cmd)
	return checkBind(cmd, bind)
}

// checkBind reads a nonce bind's result: nil when this push stored its
// body's hash or found the same one stored (WeChat's retry), ErrReplayed
// when another body's hash is stored, else the bind's error.
func checkBind(cmd *redis.StringCmd, bind *NonceBind) error {
	got, err := cmd.Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil
	case err != nil:
		return fmt.Errorf("bind nonce %s: %w", bind.Key, err)
	case !bytes.Equal(got, bind.Sum[:]):
		return ErrReplayed
	}
	return nil
}

// Finish stores the new state and the reply for repeats and ends the turn,
// in one round trip. A nil state leaves the stored state alone.
func (s *Sessions) Finish(ctx context.Context, c Claim, st *dialog.State, reply []byte) error {
	var raw []byte
	if st != nil {
		r := toRecord(*st)
		r.R, _ = strconv.ParseInt(c.rev, 10, 64)
		r.R++
		raw = encodeRecord(r)
	}
	saved, err := s.batch.Run(ctx, finishScript, c.keys,
		reply, msArg(s.DedupeTTL), c.token, raw, msArg(s.StateTTL), c.rev, msArg(TurnLease)).Int()
	if err != nil {
		return fmt.Errorf("finish %s: %w", c.key, err)
	}
	if saved == 0 {
		return fmt.Errorf("finish %s: %w", c.key, ErrStaleTurn)
	}
	return nil
}

// Hold renews a first delivery's turn lease and pending claim every third
// of the lease until the returned function is called, so that a turn that
// runs long keeps its delivery while its instance lives, and loses it
// within a lease when the instance dies. A turn that ends within a third of
// the lease (nearly all) sends nothing.
func (s *Sessions) Hold(ctx context.Context, c Claim) (stop func()) {
	h := &hold{s: s, c: c, ctx: context.WithoutCancel(ctx)}
	h.mu.Lock()
	h.t = time.AfterFunc(holdEvery, h.renew)
	h.mu.Unlock()
	return h.stop
}

// holdEvery is how often Hold renews a turn's lease.
const holdEvery = TurnLease / 3

type hold struct {
	s       *Sessions
	c       Claim
	ctx     context.Context
	mu      sync.Mutex
	t       *time.Timer
	stopped bool
}

func (h *hold) renew() {
	h.mu.Lock()
	stopped := h.stopped
	h.mu.Unlock()
	if stopped {
		return
	}
	held, err := holdScript.Run(h.ctx, h.s.rdb, h.c.keys, h.c.token, msArg(TurnLease), Pending).Int()
	h.mu.Lock()
	defer h.mu.Unlock()
	// A Redis that did not answer is tried again; a lost lock is not.
	if !h.stopped && (err != nil || held == 1) {
		h.t.Reset(holdEvery)
	}
}

func (h *hold) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopped = true
	h.t.Stop()
}

// Release forgets a claim whose handling failed, so WeChat's retry is
// handled afresh, and ends the turn.
func (s *Sessions) Release(ctx context.Context, c Claim) error {
	return releaseScript.Run(ctx, s.rdb, c.keys, c.token).Err()
}

// Reply returns the stored reply of a delivery (Pending while in progress).
func (s *Sessions) Reply(ctx context.Context, dedupeKey, openID string) ([]byte, error) {
	b, err := s.rdb.Get(ctx, s.dedupeKey(openID, dedupeKey)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, domain.ErrNotFound
	}
	return b, err
}

// LastSeen returns when the follower last wrote, from the stored state; the
// zero time when unknown. It decides whether a 客服 message may be sent.
func (s *Sessions) LastSeen(ctx context.Context, openID string) (time.Time, error) {
	st, err := s.Load(ctx, openID)
	if errors.Is(err, dialog.ErrNoState) {
		return time.Time{}, nil
	}
	return st.UpdatedAt, err
}
