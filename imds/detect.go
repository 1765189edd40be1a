package imds

import (
	"context"
	"errors"
	"time"
)

// ErrUnknownProvider is returned when neither DMI nor any service tells
// the provider.
var ErrUnknownProvider = errors.New("no known provider: the DMI strings match none and no metadata service answered")

// DetectDMI returns the provider the DMI strings of the sysfs tree name,
// or "" when they name none (Equinix Metal never shows in DMI). It reads
// files only: no network.
func DetectDMI(s Sysfs) string {
	dmi := s.DMI()
	for _, p := range Providers() {
		if p.DMI != nil && p.DMI(dmi) {
			return p.Name
		}
	}
	return ""
}

// ProbeTimeout bounds each provider's probe.
const ProbeTimeout = 2 * time.Second

// Probe asks every provider's service at once (at endpoint when it is not
// "", else at each provider's own base), each with a short timeout and no
// retries, and returns the first provider, in [Providers] order, whose
// service answered as that provider's does. It returns
// [ErrUnknownProvider] when none did.
func Probe(ctx context.Context, endpoint string) (string, error) {
	ps := Providers()
	answered, _ := parallel(ctx, len(ps), func(ctx context.Context, i int) (bool, error) {
		p := ps[i]
		if p.Probe == nil || (p.Base == "" && endpoint == "") {
			return false, nil
		}
		base := p.Base
		if endpoint != "" {
			base = endpoint
		}
		c, err := NewClient(base)
		if err != nil {
			return false, nil
		}
		if p.Setup != nil {
			p.Setup(c)
		}
		c.TryTimeout = ProbeTimeout
		ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
		defer cancel()
		return p.Probe(ctx, c), nil
	})
	for i, ok := range answered {
		if ok {
			return ps[i].Name, nil
		}
	}
	return "", ErrUnknownProvider
}
