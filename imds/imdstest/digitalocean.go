package imdstest

import "errors"

// TODO(stub): the DigitalOcean fake is being written.
func loadDigitalOcean(c *Case, data string) error { return errors.New("digitalocean: no fake yet") }
