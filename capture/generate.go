package capture

import (
	"fmt"
	"time"

	"github.com/netplumb/netplumb/expr"
	"github.com/netplumb/netplumb/nmstate"
)

// Generated is the result of running a policy: the desired state with its
// templates expanded, and the cache of every capture the policy names.
type Generated struct {
	DesiredState any // nil when the policy has no desired state
	Cache        map[string]Entry
}

// Generate runs a policy against a current state (a decoded document).
// Captures present in cache are reused with their MetaInfo (a missing
// Version becomes "0" and a missing TimeStamp now, as the original writes
// Version "0" for every entry); the others are resolved (see [Resolve]) and stamped with now, in UTC. Cache entries
// the policy does not name are dropped. Captures are resolved even when
// the policy has no desired state.
//
// It returns the errors of [Resolve] and [Expand].
//
// Generate is safe for concurrent use if nobody modifies its arguments.
func Generate(p Policy, current any, cache map[string]Entry, now time.Time) (*Generated, error) {
	cached := make(map[string]any)
	for name := range p.Capture {
		if e, ok := cache[name]; ok {
			cached[name] = e.State
		}
	}
	states, err := Resolve(p.Capture, current, cached)
	if err != nil {
		return nil, err
	}
	g := &Generated{Cache: make(map[string]Entry, len(states))}
	for name, st := range states {
		if e, ok := cache[name]; ok {
			// Reused as it is; what the cache left out is filled in, as
			// the original writes Version "0" for every entry.
			if e.MetaInfo.Version == "" {
				e.MetaInfo.Version = CacheVersion
			}
			if e.MetaInfo.TimeStamp.IsZero() {
				e.MetaInfo.TimeStamp = now.UTC()
			}
			g.Cache[name] = e
			continue
		}
		g.Cache[name] = Entry{State: st, MetaInfo: MetaInfo{Version: CacheVersion, TimeStamp: now.UTC()}}
	}
	if p.DesiredState != nil {
		g.DesiredState, err = Expand(p.DesiredState, states)
		if err != nil {
			return nil, err
		}
	}
	return g, nil
}

// Eval evaluates one capture expression against a current state, with the
// given captured states available to its references. Errors are
// [*expr.Error]s with the position in src.
//
// Eval is safe for concurrent use if nobody modifies its arguments.
func Eval(src string, current any, captures map[string]any) (any, error) {
	e, err := expr.Parse(src)
	if err != nil {
		return nil, err
	}
	lookup := func(name string) (any, bool) {
		st, ok := captures[name]
		return st, ok
	}
	st, err := evalRoot(e, current, lookup)
	return st, positioned(e, err)
}

// NMState is an NMState document in YAML or JSON, as in the original
// library.
type NMState []byte

// PolicySpec is a policy in the original library's form.
type PolicySpec struct {
	Capture      map[string]string
	DesiredState NMState
}

// CaptureState is one cached capture in the original library's form.
type CaptureState struct {
	State    NMState
	MetaInfo MetaInfo
}

// CachedState is the capture cache in the original library's form.
type CachedState struct {
	Capture map[string]CaptureState
}

// GeneratedState is the result of [GenerateState]: the desired state
// (YAML, keys sorted; empty when the policy has none) and the cache.
type GeneratedState struct {
	Cache        CachedState
	DesiredState NMState
	MetaInfo     MetaInfo
}

// NoCache returns an empty cache, as the original library's NoCache.
func NoCache() CachedState { return CachedState{} }

// Option configures [GenerateState].
type Option func(*options)

type options struct {
	now func() time.Time
}

// WithClock makes GenerateState stamp new captures with the time now
// returns instead of the wall clock.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// GenerateState is the original library's entry point: it decodes the
// policy's desired state, the current state and the cached states (YAML
// or JSON), runs [Generate], and encodes the results as YAML with sorted
// keys, as the original does. States of reused captures are passed
// through re-encoded.
//
// It returns an error for documents that do not decode, and the errors of
// [Generate].
//
// GenerateState is safe for concurrent use if nobody modifies its
// arguments.
func GenerateState(spec PolicySpec, current NMState, cache CachedState, opts ...Option) (GeneratedState, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	desired, err := nmstate.Decode(spec.DesiredState)
	if err != nil {
		return GeneratedState{}, fmt.Errorf("desired state: %w", err)
	}
	cur, err := nmstate.Decode(current)
	if err != nil {
		return GeneratedState{}, fmt.Errorf("current state: %w", err)
	}
	entries := make(map[string]Entry, len(cache.Capture))
	for _, name := range sortedNames(cache.Capture) {
		cs := cache.Capture[name]
		st, err := nmstate.Decode(cs.State)
		if err != nil {
			return GeneratedState{}, fmt.Errorf("cached capture %q: %w", name, err)
		}
		entries[name] = Entry{State: st, MetaInfo: cs.MetaInfo}
	}
	now := o.now()
	g, err := Generate(Policy{Capture: spec.Capture, DesiredState: desired}, cur, entries, now)
	if err != nil {
		return GeneratedState{}, err
	}
	out := GeneratedState{
		Cache:    CachedState{Capture: make(map[string]CaptureState, len(g.Cache))},
		MetaInfo: MetaInfo{Version: CacheVersion, TimeStamp: now.UTC()},
	}
	if g.DesiredState != nil {
		if out.DesiredState, err = nmstate.MarshalYAML(g.DesiredState); err != nil {
			return GeneratedState{}, err
		}
	}
	for name, e := range g.Cache {
		b, err := nmstate.MarshalYAML(e.State)
		if err != nil {
			return GeneratedState{}, err
		}
		out.Cache.Capture[name] = CaptureState{State: b, MetaInfo: e.MetaInfo}
	}
	return out, nil
}
