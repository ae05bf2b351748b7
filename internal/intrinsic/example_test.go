package intrinsic_test

import (
	"fmt"
	"math/rand/v2"

	"stepd/internal/intrinsic"
	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// inputEnv resolves every path against one input document.
type inputEnv struct{ input any }

func (e inputEnv) Resolve(p *jsonpath.Path) (any, error) { return p.Get(e.input) }
func (e inputEnv) Rand() *rand.Rand                      { return rand.New(rand.NewPCG(1, 2)) }
func (e inputEnv) NewUUID() string                       { return "00000000-0000-4000-8000-000000000000" }

func Example() {
	call, err := intrinsic.Parse("States.Format('{} ordered {} item(s): {}', $.name, States.ArrayLength($.items), $.items)")
	if err != nil {
		fmt.Println(err)
		return
	}
	input, _ := jsonv.ParseString(`{"name":"Ana","items":[{"sku":"a"},{"sku":"b"}]}`)
	v, err := call.Eval(inputEnv{input})
	fmt.Println(v, err)

	_, err = intrinsic.Parse("States.MathAdd($.n)")
	fmt.Println(err)
	// Output:
	// Ana ordered 2 item(s): [{sku=a}, {sku=b}] <nil>
	// invalid intrinsic function call 'States.MathAdd($.n)': States.MathAdd takes 2 arguments, found 1 at offset 0
}
