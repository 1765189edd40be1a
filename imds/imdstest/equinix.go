package imdstest

import "errors"

// TODO(stub): the Equinix fake is being written.
func loadEquinix(c *Case, data string) error { return errors.New("equinix: no fake yet") }
