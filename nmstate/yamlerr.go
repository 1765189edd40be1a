package nmstate

// YAMLError converts an error of go.yaml.in/yaml/v3's decoder, for callers
// that parse YAML with it themselves (policy files, for positions), into a
// *SyntaxError with the line yaml.v3 means: it counts the lines of the
// problems its parser finds from 0 and leaves out line 1.
func YAMLError(err error) error {
	return parseError(err)
}
