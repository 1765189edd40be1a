package imdstest

import "errors"

// TODO(stub): the Azure fake is being written.
func loadAzure(c *Case, data string) error { return errors.New("azure: no fake yet") }
