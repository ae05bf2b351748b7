package lambda

import (
	"io/fs"
	"path/filepath"
)

// codeStamp is a fingerprint of a local code directory (a "hot-reload"
// function): how many files it holds, their total size and the latest
// modification time. A warm environment started on other code is not
// reused, so an edit takes effect at the next invoke, as LocalStack's hot
// reloading does.
type codeStamp struct {
	files   int
	size    int64
	modTime int64 // UnixNano of the newest file or directory
}

// skippedDirs are not looked into: bytecode caches change when the code
// runs, and package trees and VCS data are large and edited by tools
// whose changes a running handler picks up on its own imports.
var skippedDirs = map[string]bool{"__pycache__": true, "node_modules": true, ".git": true}

// stampCode returns dir's fingerprint. An unreadable entry counts as a
// change only through what it does to the rest: errors are skipped.
func stampCode(dir string) codeStamp {
	var st codeStamp
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && path != dir && skippedDirs[d.Name()] {
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if !d.IsDir() {
			st.files++
			st.size += info.Size()
		}
		if t := info.ModTime().UnixNano(); t > st.modTime {
			st.modTime = t
		}
		return nil
	})
	return st
}
