package imdstest

import "errors"

// TODO(stub): the GCP fake is being written.
func loadGCP(c *Case, data string) error { return errors.New("gcp: no fake yet") }
