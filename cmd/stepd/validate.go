package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"stepd/internal/asl"
)

func init() {
	subcommands = append(subcommands, newValidateCmd)
}

// fileReport is one file's result in `stepd validate --json`.
type fileReport struct {
	File        string           `json:"file"`
	Result      string           `json:"result"` // OK or FAIL, as ValidateStateMachineDefinition
	Diagnostics []diagnosticJSON `json:"diagnostics"`
}

type diagnosticJSON struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Location string `json:"location,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
}

func newValidateCmd(s *streams) *cobra.Command {
	var (
		asJSON  bool
		smType  string
		format  string
		noColor bool
	)
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check state machine definitions (JSON or YAML) and print every diagnostic",
		Long: `Checks Amazon States Language definitions the way AWS's ValidateStateMachineDefinition does and
prints every diagnostic as FILE:LINE:COL: severity CODE: message. Exits 0 when no file has
errors and 1 otherwise. Files ending in .yaml or .yml are read as YAML.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			smType = strings.ToUpper(smType)
			if smType != asl.TypeStandard && smType != asl.TypeExpress {
				return fmt.Errorf("--type must be STANDARD or EXPRESS, not %q", smType)
			}
			failed := false
			var reports []fileReport
			for _, file := range args {
				src, err := os.ReadFile(file)
				if err != nil {
					return err
				}
				diags := validateSource(src, detectFormat(file, format), smType)
				diags.SortByPosition()
				if diags.HasErrors() {
					failed = true
				}
				if asJSON {
					reports = append(reports, reportFor(file, diags))
					continue
				}
				printDiagnostics(s, file, src, diags)
			}
			if asJSON {
				enc := json.NewEncoder(s.out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(reports); err != nil {
					return err
				}
			}
			if failed {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the diagnostics as JSON")
	cmd.Flags().StringVar(&smType, "type", asl.TypeStandard, "state machine type: STANDARD or EXPRESS")
	cmd.Flags().StringVar(&format, "format", "auto", "definition format: json, yaml or auto (by file extension)")
	cmd.Flags().BoolVar(&noColor, "no-color", false, "accepted for compatibility; output is never coloured")
	return cmd
}

func detectFormat(file, format string) string {
	if format != "auto" {
		return format
	}
	switch strings.ToLower(filepath.Ext(file)) {
	case ".yaml", ".yml":
		return "yaml"
	}
	return "json"
}

// validateSource checks one definition and returns every diagnostic.
func validateSource(src []byte, format, smType string) asl.Diagnostics {
	var (
		doc   *asl.Document
		diags asl.Diagnostics
	)
	if format == "yaml" {
		doc, diags = asl.ParseYAML(src)
	} else {
		doc, diags = asl.ParseJSON(src)
	}
	if doc == nil {
		return diags
	}
	_, more := asl.CompileDocument(doc, compileOptions(smType))
	return append(diags, more...)
}

func reportFor(file string, diags asl.Diagnostics) fileReport {
	r := fileReport{File: file, Result: "OK", Diagnostics: []diagnosticJSON{}}
	if diags.HasErrors() {
		r.Result = "FAIL"
	}
	for _, d := range diags {
		r.Diagnostics = append(r.Diagnostics, diagnosticJSON{
			Severity: string(d.Severity), Code: d.Code, Message: d.Message, Location: d.Location,
			Line: d.Pos.Line, Column: d.Pos.Column,
		})
	}
	return r
}

// printDiagnostics writes FILE:LINE:COL: severity CODE: message lines, each
// followed by the source line and a caret under the column.
func printDiagnostics(s *streams, file string, src []byte, diags asl.Diagnostics) {
	lines := strings.Split(string(src), "\n")
	for _, d := range diags {
		sev := strings.ToLower(string(d.Severity))
		loc := ""
		if d.Location != "" && d.Location != "/" && d.Code != asl.CodeInvalidJSON {
			loc = " (at " + d.Location + ")"
		}
		line, col := max(d.Pos.Line, 1), max(d.Pos.Column, 1)
		fmt.Fprintf(s.out, "%s:%d:%d: %s %s: %s%s\n", file, line, col, sev, d.Code, d.Message, loc)
		if d.Pos.Line >= 1 && d.Pos.Line <= len(lines) {
			text := strings.TrimRight(lines[d.Pos.Line-1], "\r")
			fmt.Fprintf(s.out, "    %s\n    %s^\n", expandTabs(text), caretPad(text, col))
		}
	}
	if len(diags) == 0 {
		fmt.Fprintf(s.out, "%s: OK\n", file)
	}
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", " ") }

// caretPad returns spaces that put a caret under the col-th character.
func caretPad(line string, col int) string {
	n := min(col-1, utf8.RuneCountInString(line))
	return strings.Repeat(" ", max(n, 0))
}
