package imdstest

import "errors"

// TODO(stub): the OpenStack fake is being written.
func loadOpenStack(c *Case, data string) error { return errors.New("openstack: no fake yet") }
