package render

// TODO(stub): the ifupdown renderer is being written.

// Ifupdown renders /etc/network/interfaces: Debian's ifupdown, or with
// Alpine set, Alpine's ifupdown-ng.
type Ifupdown struct {
	Alpine bool
}

// Name returns "ifupdown" or "ifupdown-ng".
func (r Ifupdown) Name() string {
	if r.Alpine {
		return "ifupdown-ng"
	}
	return "ifupdown"
}

// Render is not written yet.
func (r Ifupdown) Render(st *State) ([]File, error) {
	return nil, &UnsupportedError{Path: "(all)", Renderer: r.Name()}
}
