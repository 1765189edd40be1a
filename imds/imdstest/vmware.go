package imdstest

import "errors"

// TODO(stub): the VMware fake is being written.
func loadVMware(c *Case, data string) error { return errors.New("vmware: no fake yet") }
