package asl

import "strings"

// ResourceKind says what a Task state's Resource calls.
type ResourceKind uint8

// The resource kinds.
const (
	ResourceUnknown  ResourceKind = iota
	ResourceLambda                // a function ARN: arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
	ResourceActivity              // arn:aws:states:<region>:<account>:activity:<name>
	ResourceService               // an optimized or SDK integration: arn:aws:states:::<service>:<action>[.<pattern>]
)

// Pattern is the service integration pattern of a resource.
type Pattern uint8

// The integration patterns (developer guide, "Service integration
// patterns").
const (
	RequestResponse  Pattern = iota
	RunJob                   // .sync
	RunJobV2                 // .sync:2
	WaitForTaskToken         // .waitForTaskToken
)

// Resource is a parsed Task resource ARN.
type Resource struct {
	ARN       string
	Kind      ResourceKind
	Partition string
	Region    string
	Account   string
	Name      string // function or activity name (with a function qualifier stripped)
	Qualifier string // function version or alias
	// Service integrations: the service ("lambda", "states", "sqs",
	// "aws-sdk:s3", ...), the action without the pattern suffix ("invoke",
	// "startExecution") and the pattern.
	Service string
	Action  string
	Pattern Pattern
}

// ParseResource classifies a Task state's Resource.
func ParseResource(arn string) Resource {
	r := Resource{ARN: arn}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return r
	}
	r.Partition, r.Region, r.Account = parts[1], parts[3], parts[4]
	svc, rest := parts[2], parts[5]
	switch {
	case svc == "lambda" && strings.HasPrefix(rest, "function:"):
		r.Kind = ResourceLambda
		name := strings.TrimPrefix(rest, "function:")
		r.Name, r.Qualifier, _ = strings.Cut(name, ":")
	case svc == "states" && strings.HasPrefix(rest, "activity:"):
		r.Kind = ResourceActivity
		r.Name = strings.TrimPrefix(rest, "activity:")
	case svc == "states" && r.Region == "" && r.Account == "":
		r.Kind = ResourceService
		// rest is "<service>:<action>[.<pattern>]" or "aws-sdk:<service>:<action>".
		i := strings.LastIndexByte(rest, ':')
		if j := strings.Index(rest, ".sync:"); j >= 0 {
			i = strings.LastIndexByte(rest[:j], ':')
		}
		if i < 0 {
			r.Kind = ResourceUnknown
			return r
		}
		r.Service, r.Action = rest[:i], rest[i+1:]
		switch {
		case strings.HasSuffix(r.Action, ".sync:2"):
			r.Pattern, r.Action = RunJobV2, strings.TrimSuffix(r.Action, ".sync:2")
		case strings.HasSuffix(r.Action, ".sync"):
			r.Pattern, r.Action = RunJob, strings.TrimSuffix(r.Action, ".sync")
		case strings.HasSuffix(r.Action, ".waitForTaskToken"):
			r.Pattern, r.Action = WaitForTaskToken, strings.TrimSuffix(r.Action, ".waitForTaskToken")
		}
	}
	return r
}

// EventResource is how history events name an integration: the action with
// its pattern suffix ("invoke", "startExecution.sync:2").
func (r Resource) EventResource() string {
	switch r.Pattern {
	case RunJob:
		return r.Action + ".sync"
	case RunJobV2:
		return r.Action + ".sync:2"
	case WaitForTaskToken:
		return r.Action + ".waitForTaskToken"
	}
	return r.Action
}
