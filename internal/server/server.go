package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"stepd/internal/api"
	"stepd/internal/console"
	"stepd/internal/lambda"
	"stepd/internal/sfn"
	"stepd/internal/store"
)

// Version is reported by the health endpoint; cmd/stepd sets it.
var Version = "dev"

// Server is a running stepd: one listener serving every API.
type Server struct {
	cfg     Config
	log     *slog.Logger
	ln      net.Listener
	http    *http.Server
	router  *api.Router
	lambda  *lambda.Service
	store   store.Store
	sfn     *sfn.Service
	started time.Time
}

// New opens the data directory, loads the stored functions and binds the
// listener (so the address is known, and taken, before Run).
func New(cfg Config) (*Server, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", cfg.DataDir, err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	fns, err := lambda.New(lambda.Options{
		DataDir:            dataDir,
		Region:             cfg.Region,
		Account:            cfg.Account,
		MemoryLimit:        cfg.FunctionMemoryLimit,
		DefaultConcurrency: cfg.FunctionConcurrency,
		IdleTimeout:        cfg.FunctionIdleTimeout,
		EndpointURL:        "http://" + ln.Addr().String(),
		Logger:             log.With("component", "lambda"),
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	if cfg.Node == "" {
		if cfg.Node, err = nodeID(dataDir); err != nil {
			ln.Close()
			_ = fns.Close(context.Background())
			return nil, err
		}
	}
	st, err := openStore(cfg.Store, dataDir, log)
	if err != nil {
		ln.Close()
		_ = fns.Close(context.Background())
		return nil, err
	}
	svc, err := sfn.New(sfn.Options{
		Store: st, Functions: fns, Region: cfg.Region, Account: cfg.Account, Node: cfg.Node,
		Logger: log.With("component", "sfn"),
	})
	if err != nil {
		ln.Close()
		_ = fns.Close(context.Background())
		_ = st.Close()
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, ln: ln, lambda: fns, store: st, sfn: svc, router: api.NewRouter(log)}
	s.cfg.DataDir = dataDir

	// Every service on the one port.
	api.RegisterStepFunctions(s.router, svc)
	api.RegisterLambda(s.router, fns)
	api.RegisterLogs(s.router, fns.Logs(), cfg.Region, cfg.Account)
	s.router.HandleFunc("GET /health", s.health)
	console.Register(s.router) // the web console: GET / and GET /console/...

	s.http = &http.Server{
		Handler:           s.router,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// URL returns the server's base URL, e.g. http://127.0.0.1:8083.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Router returns the HTTP router, where further services register.
func (s *Server) Router() *api.Router { return s.router }

// Lambda returns the function runtime (the workflow engine's
// [lambda.Invoker]).
func (s *Server) Lambda() *lambda.Service { return s.lambda }

// Run serves until ctx ends, then shuts down gracefully: it stops
// accepting connections, waits for requests in flight (at most
// ShutdownTimeout) and stops every function environment.
func (s *Server) Run(ctx context.Context) error {
	s.started = time.Now()
	var serveErr error
	// Recover the executions a crash or a stop left running before serving.
	// Stopped during the recovery (ctx ended), or failing in it, the server
	// shuts down the same way without serving: what was recovered is
	// released, the store and the functions are closed.
	if err := s.sfn.Start(ctx); err != nil {
		if ctx.Err() == nil {
			serveErr = fmt.Errorf("start the Step Functions service: %w", err)
		}
		_ = s.ln.Close()
	} else {
		s.log.Info("stepd listening", "addr", s.URL(), "data", s.cfg.DataDir, "region", s.cfg.Region, "account", s.cfg.Account)
		errc := make(chan error, 1)
		go func() { errc <- s.http.Serve(s.ln) }()
		select {
		case err := <-errc:
			serveErr = fmt.Errorf("serve: %w", err)
		case <-ctx.Done():
		}
	}
	s.log.Info("stepd shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := s.http.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.log.Warn("HTTP shutdown", "err", err)
		_ = s.http.Close()
	}
	// The executions stop and release their leases, then the function
	// environments stop; each gets its own deadline.
	lctx, lcancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer lcancel()
	var errs []error
	if err := s.sfn.Close(lctx); err != nil {
		errs = append(errs, fmt.Errorf("stop the Step Functions service: %w", err))
	}
	if err := s.store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close the store: %w", err))
	}
	if err := s.lambda.Close(lctx); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errors.Join(append([]error{serveErr}, errs...)...)
	}
	s.log.Info("stepd stopped")
	return serveErr
}

// health answers GET /health.
func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	body, _ := json.Marshal(map[string]any{
		"status":   "ok",
		"version":  Version,
		"region":   s.cfg.Region,
		"account":  s.cfg.Account,
		"services": []string{"states", "lambda", "logs"},
		"uptime":   time.Since(s.started).Round(time.Millisecond).String(),
	})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// StepFunctions returns the Step Functions service.
func (s *Server) StepFunctions() *sfn.Service { return s.sfn }
