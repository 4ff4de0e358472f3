package archive

import "strings"

// Within reports whether slash-separated path p equals dir or lies below it.
func Within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/") || dir == "/"
}
