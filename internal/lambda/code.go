package lambda

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Code size limits (Lambda quotas).
const (
	// MaxZipSize is the largest zip CreateFunction accepts inline (the
	// request limit is larger because the zip travels base64-encoded).
	MaxZipSize = 50 << 20
	// MaxRequestSize is the largest CreateFunction/UpdateFunctionCode request
	// body, as AWS words it in RequestEntityTooLargeException.
	MaxRequestSize = 69905067
	// MaxUnzippedSize is the largest unpacked code size.
	MaxUnzippedSize = 262144000
)

// codeInfo describes stored code.
type codeInfo struct {
	dir     string
	zipPath string
	local   bool
	sha256  string
	size    int64
}

// storeCode puts code where a function can run it: a zip is unpacked into
// functionDir/code/<revision>/ (and kept as <revision>.zip); a local
// directory is checked and used in place.
func storeCode(functionDir, revision string, code *FunctionCode) (*codeInfo, error) {
	if dir := code.localDir(); dir != "" {
		return localCode(dir)
	}
	if code.ImageURI != "" {
		return nil, errInvalid("Container images are not supported by stepd; upload a zip (ZipFile).")
	}
	if code.S3Bucket != "" {
		return nil, errInvalid("stepd has no S3: upload the code as ZipFile, or use S3Bucket %q with S3Key set to a local directory.", HotReloadBucket)
	}
	if len(code.ZipFile) == 0 {
		return nil, errInvalid("Please provide a source for function code.")
	}
	if len(code.ZipFile) > MaxZipSize {
		return nil, errTooLarge(MaxRequestSize, "CreateFunction")
	}
	sum := sha256.Sum256(code.ZipFile)
	codeDir := filepath.Join(functionDir, "code", revision)
	if err := unzip(code.ZipFile, codeDir); err != nil {
		os.RemoveAll(codeDir)
		return nil, err
	}
	zipPath := codeDir + ".zip"
	if err := writeFileAtomic(zipPath, code.ZipFile); err != nil {
		os.RemoveAll(codeDir)
		return nil, fmt.Errorf("save code archive: %w", err)
	}
	return &codeInfo{
		dir:     codeDir,
		zipPath: zipPath,
		sha256:  base64.StdEncoding.EncodeToString(sum[:]),
		size:    int64(len(code.ZipFile)),
	}, nil
}

func localCode(dir string) (*codeInfo, error) {
	if !filepath.IsAbs(dir) {
		return nil, errInvalid("The local code directory must be an absolute path: %s", dir)
	}
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, errInvalid("The local code directory does not exist: %s", dir)
	}
	sum := sha256.Sum256([]byte("local:" + dir))
	return &codeInfo{dir: filepath.Clean(dir), local: true, sha256: base64.StdEncoding.EncodeToString(sum[:])}, nil
}

// errBadZip is AWS's answer to an archive it cannot read.
func errBadZip() error {
	return errInvalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
}

// unpackError sorts out an error unpacking the entry name. Entries that
// clash with each other (a file where an earlier entry made a directory, or
// a directory or a file beneath an earlier file) and names the file system
// refuses are the archive's fault: errBadZip, as AWS answers an archive it
// cannot unpack. Anything else (a full disk, a data directory stepd may not
// write) is the server's, reported without the server's paths.
func unpackError(name string, err error) error {
	for _, e := range []error{syscall.ENOTDIR, syscall.EISDIR, syscall.EEXIST, syscall.ENAMETOOLONG, syscall.EINVAL} {
		if errors.Is(err, e) {
			return errBadZip()
		}
	}
	return fmt.Errorf("unpack %s: %w", name, err)
}

// unzip extracts data into dir, refusing entries that escape it, entries
// that clash with each other and archives that unpack to more than
// MaxUnzippedSize. Regular files keep their permission bits (so a provided
// runtime's bootstrap stays executable).
func unzip(data []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return errBadZip()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create code directory: %w", err)
	}
	var total int64
	for _, f := range zr.File {
		name := filepath.FromSlash(f.Name)
		if name == "" || filepath.IsAbs(name) || strings.HasPrefix(filepath.Clean(name), "..") {
			return errBadZip()
		}
		target := filepath.Join(dir, name)
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return unpackError(f.Name, err)
			}
			continue
		case !mode.IsRegular():
			continue // symlinks and devices are not unpacked
		}
		total += int64(f.UncompressedSize64)
		if total > MaxUnzippedSize {
			return errInvalid("Unzipped size must be smaller than %d bytes", MaxUnzippedSize)
		}
		if err := extractFile(f, target, mode.Perm()|0o400, MaxUnzippedSize); err != nil {
			return err
		}
	}
	return nil
}

func extractFile(f *zip.File, target string, perm os.FileMode, limit int64) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return unpackError(f.Name, err)
	}
	rc, err := f.Open()
	if err != nil {
		return errBadZip()
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return unpackError(f.Name, err)
	}
	n, err := io.Copy(out, io.LimitReader(rc, limit+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errBadZip()
	}
	if n > limit {
		return errInvalid("Unzipped size must be smaller than %d bytes", MaxUnzippedSize)
	}
	return nil
}

// pruneCode removes the unpacked code revisions of a function except keep
// (the current one) and also (the previous one, which busy environments may
// still be loading from).
func pruneCode(functionDir string, keep ...string) {
	entries, err := os.ReadDir(filepath.Join(functionDir, "code"))
	if err != nil {
		return
	}
	kept := map[string]bool{}
	for _, k := range keep {
		if k != "" {
			kept[filepath.Base(k)] = true
			kept[filepath.Base(k)+".zip"] = true
		}
	}
	for _, e := range entries {
		if !kept[e.Name()] {
			os.RemoveAll(filepath.Join(functionDir, "code", e.Name()))
		}
	}
}
