package lambda

import (
	"encoding/binary"
	"hash/fnv"
	"io/fs"
	"path/filepath"
)

// codeStamp is a fingerprint of a local code directory (a "hot-reload"
// function): how many files it holds and a hash of each file's path, size
// and modification time, so that an edit, a new or deleted file and a
// rename all change it. A warm environment started on other code is not
// reused, so an edit takes effect at the next invoke, as LocalStack's hot
// reloading does.
type codeStamp struct {
	files int
	sum   uint64
}

// skippedDirs are not looked into, and what happens in them (or to them)
// does not count: bytecode caches change when the code runs, and package
// trees and VCS data are large and edited by tools whose changes a running
// handler picks up on its own imports.
var skippedDirs = map[string]bool{"__pycache__": true, "node_modules": true, ".git": true}

// stampCode returns dir's fingerprint. Unreadable entries are skipped.
func stampCode(dir string) codeStamp {
	var st codeStamp
	h := fnv.New64a()
	var num [16]byte
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir():
			if path != dir && skippedDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		st.files++
		h.Write([]byte(path))
		binary.LittleEndian.PutUint64(num[:8], uint64(info.Size()))
		binary.LittleEndian.PutUint64(num[8:], uint64(info.ModTime().UnixNano()))
		h.Write(num[:])
		return nil
	})
	st.sum = h.Sum64()
	return st
}
