package verify

import "testing"

func TestNormalizePath(t *testing.T) {
	tests := []struct{ raw, norm, reason string }{
		{"r/a/b", "r/a/b", ""},
		{"r/a/b/", "r/a/b", ""},
		{"r//a///b//", "r/a/b", ""},
		{"", "", "L is empty."},
		{"///", "", "L is empty."},
		{"/r/a", "", "L must be relative: /r/a"},
		{"C:/r", "", "L must be relative: C:/r"},
		{`r\c:x`, "", `L must be relative: r\c:x`},
		{"r/ab:c", "r/ab:c", ""},
		{`r\a`, "", `L must use forward slashes: r\a`},
		{"r/./a", "", "L contains path traversal segments: r/./a"},
		{"r/a/..", "", "L contains path traversal segments: r/a/.."},
		{"r/...", "r/...", ""},
	}
	for _, tt := range tests {
		norm, reason := normalizePath(tt.raw, "L")
		if norm != tt.norm || reason != tt.reason {
			t.Errorf("normalizePath(%q) = %q, %q; want %q, %q",
				tt.raw, norm, reason, tt.norm, tt.reason)
		}
	}
}

// TestPortableKey follows JavaScript's s.normalize("NFC").toLowerCase().
func TestPortableKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Root/AGENTS.md", "root/agents.md"},
		{"cafe\u0301", "caf\u00e9"},
		{"CAF\u00c9", "caf\u00e9"},
		{"\u0130stanbul", "i\u0307stanbul"},
		{"\u039f\u0394\u039f\u03a3", "\u03bf\u03b4\u03bf\u03c2"},
		{"\u039f\u03a3/x", "\u03bf\u03c2/x"},
		{"\u03a3\u0391", "\u03c3\u03b1"},
		{"/\u03a3", "/\u03c3"},
		{"\u0391\u03a3'\u0392", "\u03b1\u03c3'\u03b2"},
		{"\u0391\u03a3.", "\u03b1\u03c2."},
	}
	for _, tt := range tests {
		if got := portableKey(tt.in); got != tt.want {
			t.Errorf("portableKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
