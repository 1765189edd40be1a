package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestReadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "state.yaml")
	if err := os.WriteFile(file, []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	regular, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()

	tests := []struct {
		name     string
		file     string
		stdin    any
		want     string
		wantErr  string
		wantCode int
	}{
		{name: "file", file: file, want: "a: 1\n"},
		{name: "stdin", file: "", stdin: bytes.NewReader([]byte("b: 2\n")), want: "b: 2\n"},
		{name: "dash is stdin", file: "-", stdin: bytes.NewReader([]byte("c\n")), want: "c\n"},
		{name: "stdin redirected from a file", file: "", stdin: regular, want: "a: 1\n"},
		{name: "dev null is not a terminal", file: "-", stdin: devNull, want: ""},
		{name: "missing file", file: filepath.Join(dir, "nope.yaml"),
			wantErr: filepath.Join(dir, "nope.yaml") + ": no such file or directory", wantCode: ExitUsage},
		{name: "directory", file: dir, wantErr: dir + ": is a directory", wantCode: ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdin, _ := tt.stdin.(interface{ Read([]byte) (int, error) })
			got, err := ReadInput(tt.file, stdin)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ReadInput error = %v, want %q", err, tt.wantErr)
				}
				if code := ExitCodeOf(err); code != tt.wantCode {
					t.Errorf("exit status %d, want %d", code, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("ReadInput = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadInputTerminal(t *testing.T) {
	t.Parallel()
	// The master side of a pseudo-terminal is a terminal.
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	_, err = ReadInput("", ptmx)
	if !errors.Is(err, ErrTerminal) {
		t.Fatalf("ReadInput from a terminal: %v, want ErrTerminal", err)
	}
	if code := ExitCodeOf(err); code != ExitUsage {
		t.Errorf("exit status %d, want 2", code)
	}
}
