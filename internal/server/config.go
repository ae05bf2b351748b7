package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"regexp"
	"time"
)

// Defaults for [Config].
const (
	DefaultAddr            = "127.0.0.1:8083"
	DefaultDataDir         = "./.stepd"
	DefaultRegion          = "us-east-1"
	DefaultAccount         = "123456789012"
	DefaultShutdownTimeout = 10 * time.Second
)

// Environment variables read by [FromEnv].
const (
	EnvAddr    = "STEPD_ADDR"
	EnvData    = "STEPD_DATA"
	EnvRegion  = "STEPD_REGION"
	EnvAccount = "STEPD_ACCOUNT"
	EnvStore   = "STEPD_STORE"
)

// Config configures a [Server].
type Config struct {
	// Addr is the HOST:PORT to listen on; default 127.0.0.1:8083 (the
	// port Step Functions Local uses). Port 0 picks a free port.
	Addr string
	// DataDir holds everything stepd keeps; default ./.stepd.
	DataDir string
	// Region and Account appear in ARNs; defaults us-east-1 and
	// 123456789012.
	Region, Account string
	// ShutdownTimeout bounds graceful shutdown; default 10 s.
	ShutdownTimeout time.Duration
	// FunctionMemoryLimit is how function MemorySize is enforced: "auto"
	// (default), "cgroup", "rlimit" or "off".
	FunctionMemoryLimit string
	// FunctionConcurrency is how many environments a function without
	// reserved concurrency may run at once; default 10.
	FunctionConcurrency int
	// FunctionIdleTimeout is how long a warm environment is kept without
	// work; default 10 minutes.
	FunctionIdleTimeout time.Duration
	// Store says where executions are kept: "" or "sqlite" for
	// DATA/stepd.db, "sqlite:PATH" for another SQLite file, "memory" for
	// nothing durable (tests, throw-away runs), or a postgres:// URL to
	// share one PostgreSQL database between several nodes.
	Store string
	// Node names this process in execution leases; default a random id.
	Node string
	// Logger receives the server's logs; default slog.Default().
	Logger *slog.Logger
}

// FromEnv returns the defaults overridden by STEPD_ADDR, STEPD_DATA,
// STEPD_REGION and STEPD_ACCOUNT. getenv is os.Getenv when nil.
func FromEnv(getenv func(string) string) Config {
	if getenv == nil {
		getenv = os.Getenv
	}
	return Config{
		Addr:    getenv(EnvAddr),
		DataDir: getenv(EnvData),
		Region:  getenv(EnvRegion),
		Account: getenv(EnvAccount),
		Store:   getenv(EnvStore),
	}.WithDefaults()
}

// WithDefaults returns a copy with every empty field set to its default.
func (c Config) WithDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.Account == "" {
		c.Account = DefaultAccount
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

var (
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)
	accountPattern = regexp.MustCompile(`^\d{12}$`)
)

// Validate reports the first invalid setting, naming it.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("addr %q: want HOST:PORT: %w", c.Addr, err)
	}
	if c.DataDir == "" {
		return errors.New("data directory must not be empty")
	}
	if !regionPattern.MatchString(c.Region) {
		return fmt.Errorf("region %q: want a region name such as us-east-1", c.Region)
	}
	if !accountPattern.MatchString(c.Account) {
		return fmt.Errorf("account %q: want 12 digits", c.Account)
	}
	if c.FunctionConcurrency < 0 {
		return fmt.Errorf("function concurrency %d: must not be negative", c.FunctionConcurrency)
	}
	return nil
}
