package capture

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/netplumb/netplumb/nmstate"
)

// MetaInfo describes a captured state, as in the original's cache file.
type MetaInfo struct {
	Version   string
	TimeStamp time.Time
}

// Entry is one capture in the cache: its state (a decoded document, nil
// when nothing matched) and when it was taken.
type Entry struct {
	State    any
	MetaInfo MetaInfo
}

// CacheVersion is the MetaInfo.Version written for new captures.
const CacheVersion = "0"

// DecodeCache reads a capture cache file in the original's format:
//
//	name:
//	  MetaInfo:
//	    TimeStamp: "2022-01-05T13:34:19.093163227Z"
//	    Version: "0"
//	  State: {…}
//
// Keys are matched case-insensitively (metaInfo, state, timestamp), as the
// original's JSON decoding does, and unknown keys are ignored. An empty
// file is an empty cache. It returns the errors of [nmstate.Decode], and an
// error naming the entry for a value of the wrong type or a TimeStamp that
// is not RFC 3339.
//
// DecodeCache is safe for concurrent use.
func DecodeCache(data []byte) (map[string]Entry, error) {
	doc, err := nmstate.Decode(data)
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return map[string]Entry{}, nil
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("cache is %s, not a map of captures", describe(doc))
	}
	out := make(map[string]Entry, len(top))
	for _, name := range sortedKeys(top) {
		e, err := decodeEntry(top[name])
		if err != nil {
			return nil, fmt.Errorf("cache entry %q: %w", name, err)
		}
		out[name] = e
	}
	return out, nil
}

func decodeEntry(v any) (Entry, error) {
	var e Entry
	if v == nil {
		return e, nil
	}
	fields, ok := v.(map[string]any)
	if !ok {
		return e, fmt.Errorf("%s, not a map with MetaInfo and State", describe(v))
	}
	if st, ok := field(fields, "State"); ok {
		e.State = st
	}
	mi, ok := field(fields, "MetaInfo")
	if !ok || mi == nil {
		return e, nil
	}
	meta, ok := mi.(map[string]any)
	if !ok {
		return e, fmt.Errorf("MetaInfo is %s, not a map", describe(mi))
	}
	if v, ok := field(meta, "Version"); ok && v != nil {
		s, ok := v.(string)
		if !ok {
			return e, fmt.Errorf("MetaInfo.Version is %s, not a string", describe(v))
		}
		e.MetaInfo.Version = s
	}
	if v, ok := field(meta, "TimeStamp"); ok && v != nil {
		s, ok := v.(string)
		if !ok {
			return e, fmt.Errorf("MetaInfo.TimeStamp is %s, not a string", describe(v))
		}
		ts, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return e, fmt.Errorf("MetaInfo.TimeStamp %q is not an RFC 3339 time", s)
		}
		e.MetaInfo.TimeStamp = ts
	}
	return e, nil
}

// field looks a key up as encoding/json matches struct fields: the exact
// name first, then the first key (in sorted order) equal under case
// folding.
func field(m map[string]any, name string) (any, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	for _, k := range sortedKeys(m) {
		if strings.EqualFold(k, name) {
			return m[k], true
		}
	}
	return nil, false
}

// EncodeCache writes a capture cache in the original's format, keys
// sorted, timestamps in RFC 3339 with nanoseconds. No entries give an empty
// file, as the original writes. It returns the errors of
// [nmstate.MarshalYAML] for states the encoder refuses.
//
// EncodeCache is safe for concurrent use if nobody modifies entries.
func EncodeCache(entries map[string]Entry) ([]byte, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	doc := make(map[string]any, len(entries))
	for name, e := range entries {
		doc[name] = map[string]any{
			"MetaInfo": map[string]any{
				"TimeStamp": e.MetaInfo.TimeStamp.Format(time.RFC3339Nano),
				"Version":   e.MetaInfo.Version,
			},
			"State": e.State,
		}
	}
	return nmstate.MarshalYAML(doc)
}

// States returns the state of every entry. It is safe for concurrent use.
func States(entries map[string]Entry) map[string]any {
	out := make(map[string]any, len(entries))
	for name, e := range entries {
		out[name] = e.State
	}
	return out
}

// Names returns the names of the entries, sorted. It is safe for
// concurrent use.
func Names(entries map[string]Entry) []string {
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
