package render

// TODO(stub): the netplan renderer is being written.

// Netplan renders netplan configuration.
type Netplan struct{}

// Name returns "netplan".
func (Netplan) Name() string { return "netplan" }

// Render is not written yet.
func (r Netplan) Render(st *State) ([]File, error) {
	return nil, &UnsupportedError{Path: "(all)", Renderer: r.Name()}
}
