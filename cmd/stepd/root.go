package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exitError carries a process exit code through cobra without printing
// anything more: the command has already said what went wrong.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// streams are the standard streams a command reads and writes; tests pass
// buffers.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// subcommands lists the constructors of stepd's subcommands; each lives in
// its own file and registers itself in an init function.
var subcommands []func(*streams) *cobra.Command

// Run executes stepd with args (without the program name) and returns the
// process exit code. It is what main calls and what tests call in-process.
func Run(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer) int {
	s := &streams{in: in, out: out, err: errOut}
	root := &cobra.Command{
		Use:           "stepd",
		Short:         "Step Functions and Lambda on your own machine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetIn(in)
	root.SetOut(out)
	root.SetErr(errOut)
	for _, mk := range subcommands {
		root.AddCommand(mk(s))
	}
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(errOut, "stepd:", err)
	return 2
}

func init() {
	subcommands = append(subcommands, func(s *streams) *cobra.Command {
		return &cobra.Command{
			Use:   "version",
			Short: "Print the stepd version",
			Args:  cobra.NoArgs,
			Run: func(cmd *cobra.Command, _ []string) {
				fmt.Fprintln(s.out, "stepd", version)
			},
		}
	})
}
