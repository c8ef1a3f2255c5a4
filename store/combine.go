package store

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Combined scripts. Under load each pipeline carries the claim and finish
// scripts of about a dozen pushes, and Redis spends about 8 µs per script
// call on Lua's own overhead (setting up KEYS and ARGV, the call, the
// reply), more than on the commands inside. So the batcher sends the hot
// scripts of one pipeline as one call of a combined script, which runs each
// push's script body in turn under pcall: one push's error stays its own
// (its result is that error), the others' results are as if each script
// had been called alone. Scripts do not roll back on error, alone or
// combined, so the semantics per push are unchanged.
//
// A Redis Cluster needs every key of a script call in one slot, and the
// pushes of a pipeline belong to different followers, so on a
// ClusterClient the batcher sends one script call per push (pipelined and
// split per node by go-redis) instead.

var (
	hotMu      sync.Mutex
	hotSources = map[*redis.Script]hotSource{}
	combined   *redis.Script
)

type hotSource struct{ name, src string }

// hotScript returns the script of src, which the batcher may combine with
// other hot scripts into one call. src reads KEYS and ARGV as usual.
func hotScript(name, src string) *redis.Script {
	s := redis.NewScript(src)
	hotMu.Lock()
	defer hotMu.Unlock()
	hotSources[s] = hotSource{name, src}
	combined = nil
	return s
}

// combinedScript returns the combined script of every hot script, and the
// name by which it calls each.
func combinedScript() (*redis.Script, map[*redis.Script]string) {
	hotMu.Lock()
	defer hotMu.Unlock()
	names := make(map[*redis.Script]string, len(hotSources))
	var list []hotSource
	for s, h := range hotSources {
		names[s] = h.name
		list = append(list, h)
	}
	if combined != nil {
		return combined, names
	}
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	var b strings.Builder
	b.WriteString("local ops = {}\n")
	for _, h := range list {
		fmt.Fprintf(&b, "ops[%q] = function(KEYS, ARGV)\n%s\nend\n", h.name, h.src)
	}
	// ARGV: the number of calls, then per call its script's name, its
	// number of keys and of arguments, and the arguments. KEYS: every
	// call's keys in order. The reply has one {1, result} or {0, error}
	// per call.
	b.WriteString(`
local out = {}
local k, a = 1, 2
for i = 1, tonumber(ARGV[1]) do
  local op, nk, na = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
  local keys, args = {}, {}
  for j = 1, nk do keys[j] = KEYS[k]; k = k + 1 end
  for j = 1, na do args[j] = ARGV[a]; a = a + 1 end
  local ok, res = pcall(ops[op], keys, args)
  if ok then
    out[i] = {1, res}
  elseif type(res) == 'table' and res.err then
    out[i] = {0, res.err}
  else
    out[i] = {0, tostring(res)}
  end
end
return out
`)
	combined = redis.NewScript(b.String())
	return combined, names
}
