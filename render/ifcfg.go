package render

// TODO(stub): the ifcfg renderer is being written.

// Ifcfg renders ifcfg configuration.
type Ifcfg struct{}

// Name returns "ifcfg".
func (Ifcfg) Name() string { return "ifcfg" }

// Render is not written yet.
func (r Ifcfg) Render(st *State) ([]File, error) {
	return nil, &UnsupportedError{Path: "(all)", Renderer: r.Name()}
}
