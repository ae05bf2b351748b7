package api

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"stepd/internal/lambda/logstore"
)

var timeZero time.Time

// LogsTargetPrefix is the X-Amz-Target prefix of CloudWatch Logs.
const LogsTargetPrefix = "Logs_20140328"

// RegisterLogs serves a minimal CloudWatch Logs API (AWS JSON 1.1) over
// store: DescribeLogGroups, DescribeLogStreams, GetLogEvents and
// FilterLogEvents, enough for `aws logs get-log-events` and
// `aws logs filter-log-events` against function logs.
func RegisterLogs(r *Router, store *logstore.Store, region, account string) {
	l := &logsAPI{store: store, region: region, account: account}
	r.Targets().Register(LogsTargetPrefix, &JSONService{ContentType: ContentTypeJSON11, Operations: map[string]JSONOperation{
		"DescribeLogGroups":  l.describeLogGroups,
		"DescribeLogStreams": l.describeLogStreams,
		"GetLogEvents":       l.getLogEvents,
		"FilterLogEvents":    l.filterLogEvents,
	}})
}

type logsAPI struct {
	store           *logstore.Store
	region, account string
}

func (l *logsAPI) groupARN(name string) string {
	return "arn:aws:logs:" + l.region + ":" + l.account + ":log-group:" + name
}

func logsError(err error) error {
	switch {
	case errors.Is(err, logstore.ErrGroupNotFound):
		return NewError("ResourceNotFoundException", "The specified log group does not exist.")
	case errors.Is(err, logstore.ErrStreamNotFound):
		return NewError("ResourceNotFoundException", "The specified log stream does not exist.")
	case errors.Is(err, logstore.ErrInvalidPattern):
		return NewError("InvalidParameterException", err.Error())
	}
	return err
}

// page cuts items to one page: nextToken is the decimal index to start
// at; it returns the page and the next token ("" at the end).
func page[T any](items []T, token string, limit, max int) ([]T, string, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", NewError("InvalidParameterException", "The specified nextToken is not valid.")
		}
		start = n
	}
	if limit <= 0 || limit > max {
		limit = max
	}
	end := start + limit
	if end >= len(items) {
		return items[start:], "", nil
	}
	return items[start:end], strconv.Itoa(end), nil
}

type logGroupOut struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	MetricFilterCount int    `json:"metricFilterCount"`
	Arn               string `json:"arn"`
	StoredBytes       int64  `json:"storedBytes"`
	LogGroupClass     string `json:"logGroupClass"`
	LogGroupArn       string `json:"logGroupArn"`
}

func (l *logsAPI) describeLogGroups(_ context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupNamePrefix string `json:"logGroupNamePrefix"`
		NextToken          string `json:"nextToken"`
		Limit              int    `json:"limit"`
	}
	if err := DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	groups, next, err := page(l.store.Groups(in.LogGroupNamePrefix), in.NextToken, in.Limit, 50)
	if err != nil {
		return nil, err
	}
	out := make([]logGroupOut, 0, len(groups))
	for _, g := range groups {
		out = append(out, logGroupOut{LogGroupName: g.Name, CreationTime: g.CreationTime, Arn: l.groupARN(g.Name) + ":*",
			StoredBytes: g.StoredBytes, LogGroupClass: "STANDARD", LogGroupArn: l.groupARN(g.Name)})
	}
	return map[string]any{"logGroups": out, "nextToken": omitEmpty(next)}, nil
}

func omitEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type logStreamOut struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp int64  `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  int64  `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   int64  `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken"`
	Arn                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

func (l *logsAPI) describeLogStreams(_ context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName        string `json:"logGroupName"`
		LogGroupIdentifier  string `json:"logGroupIdentifier"`
		LogStreamNamePrefix string `json:"logStreamNamePrefix"`
		OrderBy             string `json:"orderBy"`
		Descending          bool   `json:"descending"`
		NextToken           string `json:"nextToken"`
		Limit               int    `json:"limit"`
	}
	if err := DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	group := groupName(in.LogGroupName, in.LogGroupIdentifier)
	if in.OrderBy == "LastEventTime" && in.LogStreamNamePrefix != "" {
		return nil, NewError("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	streams, err := l.store.Streams(group, in.LogStreamNamePrefix)
	if err != nil {
		return nil, logsError(err)
	}
	if in.OrderBy == "LastEventTime" {
		sort.SliceStable(streams, func(i, j int) bool { return streams[i].LastEventTimestamp < streams[j].LastEventTimestamp })
	} else {
		sort.SliceStable(streams, func(i, j int) bool { return streams[i].Name < streams[j].Name })
	}
	if in.Descending {
		for i, j := 0, len(streams)-1; i < j; i, j = i+1, j-1 {
			streams[i], streams[j] = streams[j], streams[i]
		}
	}
	streams, next, err := page(streams, in.NextToken, in.Limit, 50)
	if err != nil {
		return nil, err
	}
	out := make([]logStreamOut, 0, len(streams))
	for _, s := range streams {
		out = append(out, logStreamOut{LogStreamName: s.Name, CreationTime: s.CreationTime, FirstEventTimestamp: s.FirstEventTimestamp,
			LastEventTimestamp: s.LastEventTimestamp, LastIngestionTime: s.LastIngestionTime, UploadSequenceToken: "1",
			Arn: l.groupARN(group) + ":log-stream:" + s.Name, StoredBytes: s.StoredBytes})
	}
	return map[string]any{"logStreams": out, "nextToken": omitEmpty(next)}, nil
}

// groupName takes logGroupName, or the name at the end of a
// logGroupIdentifier ARN.
func groupName(name, identifier string) string {
	if name != "" {
		return name
	}
	if i := strings.Index(identifier, ":log-group:"); i >= 0 {
		return strings.TrimSuffix(identifier[i+len(":log-group:"):], ":*")
	}
	return identifier
}

type eventOut struct {
	LogStreamName string `json:"logStreamName,omitempty"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId,omitempty"`
}

func (l *logsAPI) getLogEvents(_ context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName       string `json:"logGroupName"`
		LogGroupIdentifier string `json:"logGroupIdentifier"`
		LogStreamName      string `json:"logStreamName"`
		StartTime          int64  `json:"startTime"`
		EndTime            int64  `json:"endTime"`
		NextToken          string `json:"nextToken"`
		Limit              int    `json:"limit"`
		StartFromHead      bool   `json:"startFromHead"`
	}
	if err := DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	q := logstore.Query{StartTime: in.StartTime, EndTime: in.EndTime, Limit: in.Limit, From: -1, Backward: !in.StartFromHead}
	if in.NextToken != "" {
		dir, n, ok := strings.Cut(in.NextToken, "/")
		seq, err := strconv.ParseInt(n, 10, 64)
		if !ok || err != nil || (dir != "f" && dir != "b") {
			return nil, NewError("InvalidParameterException", "The specified nextToken is not valid.")
		}
		q.From, q.Backward = seq, dir == "b"
	}
	events, next, prev, err := l.store.Events(groupName(in.LogGroupName, in.LogGroupIdentifier), in.LogStreamName, q)
	if err != nil {
		return nil, logsError(err)
	}
	out := make([]eventOut, 0, len(events))
	for _, e := range events {
		out = append(out, eventOut{Timestamp: e.Timestamp, Message: e.Message, IngestionTime: e.IngestionTime})
	}
	return map[string]any{
		"events":            out,
		"nextForwardToken":  fmt.Sprintf("f/%056d", next),
		"nextBackwardToken": fmt.Sprintf("b/%056d", prev),
	}, nil
}

func (l *logsAPI) filterLogEvents(_ context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName        string   `json:"logGroupName"`
		LogGroupIdentifier  string   `json:"logGroupIdentifier"`
		LogStreamNames      []string `json:"logStreamNames"`
		LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
		StartTime           int64    `json:"startTime"`
		EndTime             int64    `json:"endTime"`
		FilterPattern       string   `json:"filterPattern"`
		NextToken           string   `json:"nextToken"`
		Limit               int      `json:"limit"`
	}
	if err := DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	q := logstore.FilterQuery{Streams: in.LogStreamNames, StreamPrefix: in.LogStreamNamePrefix, StartTime: in.StartTime,
		EndTime: in.EndTime, Pattern: in.FilterPattern, Limit: in.Limit}
	if in.NextToken != "" {
		after, err := parseFilterToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		q.After = after
	}
	group := groupName(in.LogGroupName, in.LogGroupIdentifier)
	events, more, err := l.store.Filter(group, q)
	if err != nil {
		return nil, logsError(err)
	}
	out := make([]eventOut, 0, len(events))
	for _, e := range events {
		out = append(out, eventOut{LogStreamName: e.Stream, Timestamp: e.Timestamp, Message: e.Message,
			IngestionTime: e.IngestionTime, EventID: strconv.FormatInt(e.Timestamp, 10) + "-" + strconv.FormatInt(e.Seq, 10)})
	}
	resp := map[string]any{"events": out, "searchedLogStreams": []any{}}
	if more && len(events) > 0 {
		last := events[len(events)-1]
		resp["nextToken"] = fmt.Sprintf("%d/%d/%s", last.Timestamp, last.Seq, last.Stream)
	}
	return resp, nil
}

func parseFilterToken(tok string) (*logstore.FilteredEvent, error) {
	parts := strings.SplitN(tok, "/", 3)
	bad := NewError("InvalidParameterException", "The specified nextToken is not valid.")
	if len(parts) != 3 {
		return nil, bad
	}
	ts, err1 := strconv.ParseInt(parts[0], 10, 64)
	seq, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, bad
	}
	return &logstore.FilteredEvent{Event: logstore.Event{Timestamp: ts, Seq: seq}, Stream: parts[2]}, nil
}
