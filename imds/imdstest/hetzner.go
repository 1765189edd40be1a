package imdstest

import "errors"

// TODO(stub): the Hetzner fake is being written.
func loadHetzner(c *Case, data string) error { return errors.New("hetzner: no fake yet") }
