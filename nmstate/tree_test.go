package nmstate

import (
	"fmt"
	"math"
	"strconv"
)

// TreeDiff is treeDiff for the external tests.
var TreeDiff = treeDiff

// treeDiff describes the first difference between the model trees want and
// got, or returns "". Floats compare bit for bit (a NaN equals a NaN, -0 is
// not 0), and the time is linear even for deeply nested trees, where
// cmp.Diff takes exponential time.
func treeDiff(path string, want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		switch {
		case !ok || (w == nil) != (g == nil):
			break
		case len(w) != len(g):
			return fmt.Sprintf("%s: %d keys, want %d", path, len(g), len(w))
		default:
			for k, we := range w {
				ge, ok := g[k]
				if !ok {
					return fmt.Sprintf("%s: key %q missing", path, k)
				}
				if d := treeDiff(path+"."+strconv.Quote(k), we, ge); d != "" {
					return d
				}
			}
			return ""
		}
	case []any:
		g, ok := got.([]any)
		switch {
		case !ok || (w == nil) != (g == nil):
			break
		case len(w) != len(g):
			return fmt.Sprintf("%s: %d items, want %d", path, len(g), len(w))
		default:
			for i := range w {
				if d := treeDiff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); d != "" {
					return d
				}
			}
			return ""
		}
	case float64:
		if g, ok := got.(float64); ok && math.Float64bits(w) == math.Float64bits(g) {
			return ""
		}
	default:
		if want == got {
			return ""
		}
	}
	return fmt.Sprintf("%s: %T %#v, want %T %#v", path, got, got, want, want)
}
