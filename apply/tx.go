package apply

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// TxOptions are the choices of a transaction.
type TxOptions struct {
	// Verify re-reads the state after applying and checks that the
	// desired state holds.
	Verify bool
	// Rollback restores the snapshot on any failure.
	Rollback bool
	// DryRun plans and returns the plan without applying it.
	DryRun bool
	// RollbackTimeout bounds the restore, which runs even when ctx is
	// done (cancelled by a signal, or past its deadline); 0 is 30s.
	RollbackTimeout time.Duration
	// Log receives progress at debug and info level; nil logs nothing.
	Log *slog.Logger
}

// TxError is a failed transaction: the first error, and whether the
// snapshot was restored.
type TxError struct {
	Err error
	// Done is the operations carried out before the failure.
	Done []Op
	// RolledBack: the state was restored; when false, RollbackErr says
	// why not (nil with rollback turned off).
	RolledBack  bool
	RollbackErr error
}

func (e *TxError) Error() string {
	switch {
	case e.RolledBack:
		return e.Err.Error() + " (rolled back)"
	case e.RollbackErr != nil:
		return e.Err.Error() + " (rollback failed: " + e.RollbackErr.Error() + ")"
	}
	return e.Err.Error() + " (not rolled back: " + fmt.Sprint(len(e.Done)) + " operations stay applied)"
}

func (e *TxError) Unwrap() error { return e.Err }

// Transact applies the desired state d on k as one transaction: it reads
// the state (the snapshot), plans, carries the operations out in order,
// re-reads and verifies; on any failure, ctx's end included, it plans the
// way back to the snapshot with [Restore] and carries that out. It
// returns the plan carried out (empty when d already holds: then nothing
// is sent to k). A bad desired state for the current one is the planner's
// [*nmstate.PathError], returned before anything is changed; a failure
// after that is a [*TxError].
func Transact(ctx context.Context, k Kernel, d *Desired, opt TxOptions) ([]Op, error) {
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	snap, err := k.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the state: %w", err)
	}
	ops, notes, err := Plan(snap, d)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		log.Info(n)
	}
	if opt.DryRun || len(ops) == 0 {
		return ops, nil
	}
	fail := func(err error, done []Op) error {
		tx := &TxError{Err: err, Done: done}
		if !opt.Rollback {
			return tx
		}
		tx.RollbackErr = rollback(k, snap, ops, opt, log)
		tx.RolledBack = tx.RollbackErr == nil
		return tx
	}
	for n, op := range ops {
		if err := ctx.Err(); err != nil {
			return nil, fail(interrupted(ctx, err), ops[:n])
		}
		log.Debug("apply", "op", op.String())
		if err := k.Apply(ctx, op); err != nil {
			if ctx.Err() != nil {
				err = interrupted(ctx, ctx.Err())
			}
			return nil, fail(err, ops[:n])
		}
	}
	if opt.Verify {
		log.Debug("verifying")
		now, err := k.Read(ctx)
		if err == nil {
			err = Verify(d, now)
		} else {
			err = fmt.Errorf("verification: reading the state: %w", err)
		}
		if err != nil {
			if ctx.Err() != nil {
				err = interrupted(ctx, ctx.Err())
			}
			return nil, fail(err, ops)
		}
	}
	return ops, nil
}

func interrupted(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("timed out: %w", err)
	}
	if c := context.Cause(ctx); c != nil && c != err {
		return fmt.Errorf("interrupted: %w", c)
	}
	return fmt.Errorf("interrupted: %w", err)
}

// rollback restores snap for what plan touches: it reads the state, plans the way back and
// carries it out, going on past errors (a link that is gone already), and
// checks by reading again that nothing is left to restore.
func rollback(k Kernel, snap *State, plan []Op, opt TxOptions, log *slog.Logger) error {
	timeout := opt.RollbackTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var first error
	for attempt := 0; attempt < 2; attempt++ {
		now, err := k.Read(ctx)
		if err != nil {
			return fmt.Errorf("reading the state: %w", err)
		}
		ops, err := Restore(snap, now, plan)
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			return nil
		}
		for _, op := range ops {
			log.Debug("rollback", "op", op.String())
			if err := k.Apply(ctx, op); err != nil && first == nil {
				first = err
			}
		}
	}
	now, err := k.Read(ctx)
	if err != nil {
		return fmt.Errorf("reading the state: %w", err)
	}
	if ops, err := Restore(snap, now, plan); err != nil || len(ops) > 0 {
		if first == nil && err == nil {
			first = fmt.Errorf("%s is still needed", ops[0])
		} else if first == nil {
			first = err
		}
		return first
	}
	return nil
}
