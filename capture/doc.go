// Package capture is the NMPolicy engine: it resolves the capture
// expressions of a policy against the current NMState, keeps the capture
// cache, and expands the `{{ capture.… }}` templates of the desired state.
//
// [GenerateState] has the shape of the original nmstate/nmpolicy v0.6.0
// library (PolicySpec, CachedState, CaptureState, MetaInfo,
// GeneratedState), so that a Go caller such as kubernetes-nmstate can
// switch by changing an import. [Generate], [Resolve] and [Expand] work on
// decoded documents (see package nmstate) and are what the nmpolicyctl
// command uses.
//
// The semantics are the original's, operator for operator, including its
// quirks; README.md in this directory lists them with the deliberate
// differences: nothing panics or recurses forever (a capture cycle is an
// error naming it, == against a map or list is an error), numeric and null
// literals are accepted, `capture.name` alone means the whole captured
// state, a template inside a longer string is replaced in place, and
// errors are deterministic.
package capture
