package jsonpath_test

import (
	"fmt"

	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

func Example() {
	input, _ := jsonv.ParseString(`{"order":{"items":[{"sku":"a","qty":2},{"sku":"b","qty":0}]}}`)

	first := jsonpath.MustCompile("$.order.items[0].sku")
	v, _ := first.Get(input)
	fmt.Println(jsonv.Marshal(v))

	inStock := jsonpath.MustCompile("$.order.items[?(@.qty > 0)].sku")
	v, _ = inStock.Get(input)
	fmt.Println(jsonv.Marshal(v))

	_, err := jsonpath.MustCompile("$.order.customer.name").Get(input)
	fmt.Println(err)

	result, _ := jsonpath.CompileReference("$.order.status")
	out, _ := result.Set(input, "shipped")
	fmt.Println(jsonv.Marshal(out))
	// Output:
	// "a"
	// ["a"]
	// Invalid path '$.order.customer.name' : Missing property in path $['order']['customer']
	// {"order":{"items":[{"sku":"a","qty":2},{"sku":"b","qty":0}],"status":"shipped"}}
}
