package expr_test

import (
	"fmt"

	"github.com/netplumb/netplumb/expr"
)

func ExampleParse() {
	e, err := expr.Parse(`capture.base | routes.running.next-hop-interface:="br1"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	f := e.Root.(*expr.Filter)
	fmt.Println(f.Input, f.Op, f.Left, f.Right)

	_, err = expr.Parse(`routes.running.destination==`)
	fmt.Println(err)
	// Output:
	// capture.base := routes.running.next-hop-interface "br1"
	// 1:29: invalid equality filter: missing right hand argument
}
