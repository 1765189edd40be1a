package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/itchyny/gojq"

	"github.com/netplumb/netplumb/nmstate"
)

// Output holds the flags of commands that print a document. Embed it with
// `embed:""`.
type Output struct {
	Format string `enum:"yaml,json" default:"yaml" help:"Output format: ${enum}."`
	JQ     string `name:"jq" placeholder:"EXPR" help:"Filter the output document through a jq expression (gojq)."`
	Raw    bool   `short:"r" name:"raw-output" help:"With --jq, print string results without quotes."`
}

// Render returns the bytes to print for doc: the document in the chosen
// format, or with --jq each result of the filter in turn (YAML results
// separated by "---", except with -r, where each result is a line as in jq). A nil document prints nothing. Errors in the jq
// expression have exit status 2.
func (o *Output) Render(ctx context.Context, doc any) ([]byte, error) {
	if o.JQ == "" {
		if o.Raw {
			return nil, Errorf("-r applies to --jq results: give --jq too")
		}
		if doc == nil {
			return nil, nil
		}
		return o.encode(doc)
	}
	query, err := gojq.Parse(o.JQ)
	if err != nil {
		return nil, Errorf("--jq: %v", err)
	}
	code, err := gojq.Compile(query)
	if err != nil {
		return nil, Errorf("--jq: %v", err)
	}
	var buf bytes.Buffer
	iter := code.RunWithContext(ctx, toJQ(doc))
	for n := 0; ; n++ {
		v, ok := iter.Next()
		if !ok {
			break
		}
		if err, ok := v.(error); ok {
			if herr := (*gojq.HaltError)(nil); errors.As(err, &herr) && herr.Value() == nil {
				break
			}
			return nil, Errorf("--jq: %v", err)
		}
		if s, ok := v.(string); ok && o.Raw {
			buf.WriteString(s)
			buf.WriteByte('\n')
			continue
		}
		if n > 0 && o.Format != "json" && !o.Raw {
			buf.WriteString("---\n")
		}
		b, err := o.encode(fromJQ(v))
		if err != nil {
			return nil, err
		}
		buf.Write(b)
	}
	return buf.Bytes(), nil
}

func (o *Output) encode(doc any) ([]byte, error) {
	var b []byte
	var err error
	if o.Format == "json" {
		b, err = nmstate.MarshalJSON(doc)
	} else {
		b, err = nmstate.MarshalYAML(doc)
	}
	if err != nil {
		return nil, BadInput(fmt.Errorf("output: %w", err))
	}
	return b, nil
}

// toJQ converts a document to the values gojq works on (int instead of
// int64, *big.Int above MaxInt).
func toJQ(v any) any {
	switch t := v.(type) {
	case nmstate.Ordered:
		out := make(map[string]any, len(t))
		for _, kv := range t {
			out[kv.Key] = toJQ(kv.Value)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = toJQ(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = toJQ(e)
		}
		return out
	case int64:
		return int(t)
	case int:
		return t
	case uint64:
		if t <= math.MaxInt {
			return int(t)
		}
		return new(big.Int).SetUint64(t)
	}
	return v
}

// fromJQ converts gojq's results back to a document.
func fromJQ(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = fromJQ(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = fromJQ(e)
		}
		return out
	case int:
		return int64(t)
	case *big.Int:
		if t.IsInt64() {
			return t.Int64()
		}
		if t.IsUint64() {
			return t.Uint64()
		}
		f, _ := strconv.ParseFloat(t.String(), 64)
		return f
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int64(t)
		}
		return t
	}
	return v
}

// Write renders doc with o and writes it to env.Stdout in one piece.
func (o *Output) Write(ctx context.Context, env *Env, doc any) error {
	b, err := o.Render(ctx, doc)
	if err != nil {
		return err
	}
	if _, err := env.Stdout.Write(b); err != nil {
		return fmt.Errorf("writing stdout: %w", err)
	}
	return nil
}
