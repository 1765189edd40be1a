package imdstest

import "errors"

// TODO(stub): the Oracle fake is being written.
func loadOracle(c *Case, data string) error { return errors.New("oracle: no fake yet") }
