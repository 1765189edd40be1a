package render

// TODO(stub): the networkd renderer is being written.

// Networkd renders networkd configuration.
type Networkd struct{}

// Name returns "networkd".
func (Networkd) Name() string { return "networkd" }

// Render is not written yet.
func (r Networkd) Render(st *State) ([]File, error) {
	return nil, &UnsupportedError{Path: "(all)", Renderer: r.Name()}
}
