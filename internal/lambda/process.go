package lambda

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// command builds the process for def's runtime.
func (s *Service) command(def *definition, e *env) (*exec.Cmd, bool, error) {
	cfg := def.rec.Config
	var cmd *exec.Cmd
	rlimitOK := true
	switch def.kind {
	case runtimePython:
		py, err := s.interp.pythonPath()
		if err != nil {
			return nil, false, err
		}
		cmd = exec.Command(py, "-u", filepath.Join(s.runtimeDir, "bootstrap.py"))
	case runtimeNode:
		node, err := s.interp.nodePath()
		if err != nil {
			return nil, false, err
		}
		heap := cfg.MemorySize * 9 / 10
		args := []string{filepath.Join(s.runtimeDir, "bootstrap.js")}
		if s.mem.mode != MemoryLimitOff {
			args = append([]string{"--max-old-space-size=" + strconv.Itoa(heap)}, args...)
		}
		cmd = exec.Command(node, args...)
		rlimitOK = false
	case runtimeProvided:
		cmd = exec.Command(filepath.Join(def.rec.CodeDir, "bootstrap"))
	}
	cmd.Dir = def.rec.CodeDir
	cmd.Env = append(s.processEnv(def, e.stream.Name()), "AWS_LAMBDA_RUNTIME_API="+e.addr)
	return cmd, rlimitOK, nil
}

// processEnv is the environment of a function process: Lambda's standard
// variables, then the function's own.
func (s *Service) processEnv(def *definition, stream string) []string {
	cfg := def.rec.Config
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	vars := []string{
		"PATH=" + path,
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"LAMBDA_TASK_ROOT=" + def.rec.CodeDir,
		"LAMBDA_RUNTIME_DIR=" + s.runtimeDir,
		"_HANDLER=" + cfg.Handler,
		"AWS_LAMBDA_FUNCTION_NAME=" + cfg.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION=" + def.version(),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(cfg.MemorySize),
		"AWS_LAMBDA_LOG_GROUP_NAME=" + logGroupName(cfg.FunctionName),
		"AWS_LAMBDA_LOG_STREAM_NAME=" + stream,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_REGION=" + s.opts.Region,
		"AWS_DEFAULT_REGION=" + s.opts.Region,
		"AWS_EXECUTION_ENV=AWS_Lambda_" + cfg.Runtime,
		"AWS_ACCESS_KEY_ID=" + cmpOr(os.Getenv("AWS_ACCESS_KEY_ID"), "test"),
		"AWS_SECRET_ACCESS_KEY=" + cmpOr(os.Getenv("AWS_SECRET_ACCESS_KEY"), "test"),
	}
	if tok := os.Getenv("AWS_SESSION_TOKEN"); tok != "" {
		vars = append(vars, "AWS_SESSION_TOKEN="+tok)
	}
	if s.opts.EndpointURL != "" {
		vars = append(vars,
			"AWS_ENDPOINT_URL_LAMBDA="+s.opts.EndpointURL,
			"AWS_ENDPOINT_URL_SFN="+s.opts.EndpointURL,
			"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS="+s.opts.EndpointURL)
	}
	if def.kind == runtimePython {
		if def.rec.LocalCode {
			// Edits to a local directory must show on the next cold start;
			// bytecode caches validated by mtime (in seconds) could hide them.
			vars = append(vars, "PYTHONDONTWRITEBYTECODE=1")
		} else {
			// Keep bytecode caches out of the function's directory.
			vars = append(vars, "PYTHONPYCACHEPREFIX="+filepath.Join(s.opts.DataDir, "cache", "python"))
		}
	}
	if cfg.Environment != nil {
		for k, v := range cfg.Environment.Variables {
			vars = append(vars, k+"="+v)
		}
	}
	return vars
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
