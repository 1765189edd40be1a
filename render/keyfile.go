package render

// TODO(stub): the keyfile renderer is being written.

// Keyfile renders keyfile configuration.
type Keyfile struct{}

// Name returns "keyfile".
func (Keyfile) Name() string { return "keyfile" }

// Render is not written yet.
func (r Keyfile) Render(st *State) ([]File, error) {
	return nil, &UnsupportedError{Path: "(all)", Renderer: r.Name()}
}
