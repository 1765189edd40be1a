package apply

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/vishvananda/netlink"
)

func TestRetryDump(t *testing.T) {
	t.Parallel()
	errOther := errors.New("permission denied")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		ctx       context.Context
		fails     int   // calls that return err before one succeeds
		err       error // what they return
		wantCalls int
		wantErr   string
	}{
		{name: "at once", ctx: context.Background(), wantCalls: 1},
		{name: "after interruptions", ctx: context.Background(), fails: 4, err: netlink.ErrDumpInterrupted, wantCalls: 5},
		{
			name: "interrupted every time", ctx: context.Background(), fails: 99, err: netlink.ErrDumpInterrupted, wantCalls: 5,
			wantErr: netlink.ErrDumpInterrupted.Error() + " 5 times",
		},
		{name: "other errors are not retried", ctx: context.Background(), fails: 99, err: errOther, wantCalls: 1, wantErr: "permission denied"},
		{name: "cancelled", ctx: cancelled, wantCalls: 0, wantErr: "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			err := retryDump(tt.ctx, func() error {
				calls++
				if calls <= tt.fails {
					return tt.err
				}
				return nil
			})
			if calls != tt.wantCalls {
				t.Errorf("%d calls, want %d", calls, tt.wantCalls)
			}
			if got := fmt.Sprint(err); tt.wantErr == "" && err != nil || tt.wantErr != "" && got != tt.wantErr {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
			if tt.err == netlink.ErrDumpInterrupted && err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
				t.Errorf("error %v is not ErrDumpInterrupted", err)
			}
		})
	}
}

func TestOpenNetnsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, want string }{
		{"../x", `netns "../x": not a namespace name`},
		{"..", `netns "..": not a namespace name`},
		{"a/b", `netns "a/b": not a namespace name`},
		{"netplumb-no-such-namespace", "netns netplumb-no-such-namespace: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ns, err := OpenNetns(tt.name)
			if err == nil {
				ns.Close()
				t.Fatalf("OpenNetns(%q): no error", tt.name)
			}
			if err.Error() != tt.want {
				t.Errorf("OpenNetns(%q) error %q, want %q", tt.name, err, tt.want)
			}
			if ns.IsOpen() {
				t.Errorf("OpenNetns(%q) returned an open handle with its error", tt.name)
			}
		})
	}
	ns, err := OpenNetns("")
	if err != nil {
		t.Fatalf(`OpenNetns(""): %v`, err)
	}
	ns.Close()
}
