package lambda

import (
	"encoding/base64"
	"testing"
)

func TestSmoke(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "f", runtime: "python3.12", handler: "app.handler", files: map[string]string{
		"app.py": "def handler(event, context):\n    print('hi', event)\n    return {'ok': event['x']}\n"}})
	for i := 0; i < 3; i++ {
		out := b.invoke(t, "f", `{"x":1}`)
		log, _ := base64.StdEncoding.DecodeString(out.LogResult)
		t.Logf("%d %s %q %s\n%s", out.StatusCode, out.Payload, out.FunctionError, out.RequestID, log)
	}
}
