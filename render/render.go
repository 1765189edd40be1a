package render

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// File is one file to write: an absolute path (below the root), its
// permission bits and its content.
type File struct {
	Path    string
	Mode    fs.FileMode
	Content []byte
}

// Renderer writes the network configuration of one system.
type Renderer interface {
	// Name is what --renderer takes.
	Name() string
	// Render returns the renderer's files for a state. It returns an
	// [*UnsupportedError] for what the format cannot express.
	Render(st *State) ([]File, error)
}

// Renderers returns every renderer.
func Renderers() []Renderer {
	return []Renderer{Netplan{}, Ifupdown{}, Ifupdown{Alpine: true}, Ifcfg{}, Keyfile{}, Networkd{}}
}

// RendererNames returns the renderer names, sorted.
func RendererNames() []string {
	var names []string
	for _, r := range Renderers() {
		names = append(names, r.Name())
	}
	slices.Sort(names)
	return names
}

// LookupRenderer returns the renderer with a name.
func LookupRenderer(name string) (Renderer, error) {
	for _, r := range Renderers() {
		if r.Name() == name {
			return r, nil
		}
	}
	return nil, fmt.Errorf("unknown renderer %q (known: %s)", name, strings.Join(RendererNames(), ", "))
}

// maxResolvConfServers is how many name servers the C libraries'
// resolvers read from /etc/resolv.conf (MAXNS in glibc and musl): a
// fourth would be ignored.
const maxResolvConfServers = 3

// writesResolvConf reports whether DNS goes to /etc/resolv.conf: on
// ifupdown and ifcfg systems, whose network tools do not manage it. The
// others keep DNS in their own settings.
func writesResolvConf(r Renderer) bool {
	switch r.(type) {
	case Ifupdown, Ifcfg:
		return true
	}
	return false
}

// Files renders a state with r and adds /etc/hostname and /etc/hosts
// (when the state has a host name) and, on ifupdown and ifcfg systems,
// /etc/resolv.conf (when the state has DNS; more than three name servers
// are an [*UnsupportedError] there, as the resolver would ignore them). The files come sorted by
// path; two files with one path are an error.
//
// Files is safe for concurrent use.
func Files(r Renderer, st *State) ([]File, error) {
	if writesResolvConf(r) && len(st.DNS.Servers) > maxResolvConfServers {
		return nil, &UnsupportedError{
			Path:     fmt.Sprintf("dns-resolver.config.server[%d] (resolv.conf is read for %d name servers)", maxResolvConfServers, maxResolvConfServers),
			Renderer: r.Name(),
		}
	}
	files, err := r.Render(st)
	if err != nil {
		return nil, err
	}
	files = append(files, commonFiles(st, writesResolvConf(r))...)
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	for i := 1; i < len(files); i++ {
		if files[i].Path == files[i-1].Path {
			return nil, fmt.Errorf("%s is rendered twice", files[i].Path)
		}
	}
	return files, nil
}

// commonFiles are the files every system gets.
func commonFiles(st *State, resolvConf bool) []File {
	var out []File
	if st.Hostname != "" {
		short, _, _ := strings.Cut(st.Hostname, ".")
		names := st.Hostname
		if short != st.Hostname {
			names += " " + short
		}
		out = append(out,
			File{Path: "/etc/hostname", Mode: 0o644, Content: []byte(short + "\n")},
			File{Path: "/etc/hosts", Mode: 0o644, Content: []byte(
				header +
					"127.0.0.1\tlocalhost\n" +
					"127.0.1.1\t" + names + "\n" +
					"::1\tlocalhost ip6-localhost ip6-loopback\n" +
					"ff02::1\tip6-allnodes\n" +
					"ff02::2\tip6-allrouters\n")})
	}
	if resolvConf && (len(st.DNS.Servers) > 0 || len(st.DNS.Search) > 0) {
		var b strings.Builder
		b.WriteString(header)
		for _, s := range st.DNS.Servers {
			b.WriteString("nameserver " + s.String() + "\n")
		}
		if len(st.DNS.Search) > 0 {
			b.WriteString("search " + strings.Join(st.DNS.Search, " ") + "\n")
		}
		out = append(out, File{Path: "/etc/resolv.conf", Mode: 0o644, Content: []byte(b.String())})
	}
	return out
}

// Doc is the file set as the document netrender prints without --root:
// files: [{path, mode, content}], mode in octal ("0600").
func Doc(files []File) map[string]any {
	list := make([]any, 0, len(files))
	for _, f := range files {
		list = append(list, map[string]any{
			"path":    f.Path,
			"mode":    fmt.Sprintf("%04o", uint32(f.Mode.Perm())),
			"content": string(f.Content),
		})
	}
	return map[string]any{"files": list}
}
