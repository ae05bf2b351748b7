package sfn_test

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// TestModelMatchesBotocore checks that model.json is what
// testdata/genmodel.py makes from the botocore model installed here (it
// skips where python3 or botocore is missing).
func TestModelMatchesBotocore(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	if exec.Command(python, "-c", "import botocore").Run() != nil {
		t.Skip("no botocore")
	}
	out, err := exec.Command(python, "testdata/genmodel.py").Output()
	if err != nil {
		t.Fatalf("genmodel.py: %v", err)
	}
	have, err := os.ReadFile("model.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, have) {
		t.Log("model.json differs from botocore's model; run python3 internal/sfn/testdata/genmodel.py > internal/sfn/model.json")
		t.Skip("botocore here is another version than the one model.json was made from")
	}
}
