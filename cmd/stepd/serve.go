package main

import (
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"stepd/internal/server"
)

func init() {
	subcommands = append(subcommands, newServeCommand)
}

// newServeCommand builds `stepd serve`: flags default to the STEPD_*
// environment variables, which default to 127.0.0.1:8083, ./.stepd,
// us-east-1 and 123456789012.
func newServeCommand(s *streams) *cobra.Command {
	cfg := server.FromEnv(nil)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the Step Functions, Lambda and CloudWatch Logs APIs on one port",
		Long: `Start stepd's server: the AWS Step Functions API (AWS JSON 1.0), the Lambda API and
a minimal CloudWatch Logs API on one port. Executions are durable (SQLite in the data directory
by default) and continue after a crash or restart. Functions created through the Lambda API run
as local processes (python3.*, nodejs*, provided) and persist in the data directory.

Environment: STEPD_ADDR, STEPD_DATA, STEPD_REGION, STEPD_ACCOUNT, STEPD_STORE.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.Logger = slog.New(slog.NewTextHandler(s.err, nil))
			server.Version = version
			srv, err := server.New(cfg)
			if err != nil {
				return err
			}
			return srv.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", cfg.Addr, "HOST:PORT to listen on ($STEPD_ADDR)")
	f.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory ($STEPD_DATA)")
	f.StringVar(&cfg.Region, "region", cfg.Region, "region used in ARNs ($STEPD_REGION)")
	f.StringVar(&cfg.Account, "account", cfg.Account, "account id used in ARNs ($STEPD_ACCOUNT)")
	f.StringVar(&cfg.Store, "store", cfg.Store, "where executions are kept: sqlite (DATA/stepd.db), sqlite:PATH, memory, or a postgres:// URL ($STEPD_STORE)")
	f.StringVar(&cfg.Node, "node", cfg.Node, "this node's name in execution leases (default: random)")
	f.StringVar(&cfg.FunctionMemoryLimit, "memory-limit", "auto", "how function memory is limited: auto, cgroup, rlimit or off")
	f.IntVar(&cfg.FunctionConcurrency, "function-concurrency", 10, "environments per function without reserved concurrency")
	f.DurationVar(&cfg.FunctionIdleTimeout, "function-idle-timeout", 10*time.Minute, "how long a warm function environment is kept without work")
	return cmd
}
