package plan

import (
	"errors"
	"sort"
	"strconv"

	"github.com/titanous/json5"
)

// orderedKeys lists the keys of the JSON5 object text raw, which decodes to
// m, in the order a JavaScript object enumerates them: keys that are array
// indices first, ascending, then the others in order of first appearance.
// Keys of m that the scan misses (it should miss none) follow, sorted.
func orderedKeys(raw []byte, m map[string]any) []string {
	scanned, _ := scanKeys(raw)
	var index, named []string
	seen := make(map[string]bool)
	add := func(k string) {
		if _, ok := m[k]; !ok || seen[k] {
			return
		}
		seen[k] = true
		if isArrayIndex(k) {
			index = append(index, k)
		} else {
			named = append(named, k)
		}
	}
	for _, k := range scanned {
		add(k)
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		add(k)
	}
	sort.Slice(index, func(i, j int) bool {
		a, _ := strconv.ParseUint(index[i], 10, 32)
		b, _ := strconv.ParseUint(index[j], 10, 32)
		return a < b
	})
	return append(index, named...)
}

// isArrayIndex reports whether k is the canonical decimal form of an
// integer from 0 to 2^32-2, the keys JavaScript enumerates first.
func isArrayIndex(k string) bool {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return err == nil && n < 1<<32-1
}

var errKeyScan = errors.New("unexpected JSON5 object text")

// keyScanner walks JSON5 text that is known to be valid.
type keyScanner struct {
	b []byte
	i int
}

// scanKeys returns the member names of the top-level object in raw, in
// order, repeats included.
func scanKeys(raw []byte) ([]string, error) {
	s := &keyScanner{b: raw}
	s.space()
	if !s.eat('{') {
		return nil, errKeyScan
	}
	var keys []string
	for {
		s.space()
		if s.eat('}') {
			return keys, nil
		}
		start := s.i
		if err := s.skipKey(); err != nil {
			return nil, err
		}
		key, err := decodeKey(s.b[start:s.i])
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
		s.space()
		if !s.eat(':') {
			return nil, errKeyScan
		}
		if err := s.skipValue(); err != nil {
			return nil, err
		}
		s.space()
		if !s.eat(',') && (s.i >= len(s.b) || s.b[s.i] != '}') {
			return nil, errKeyScan
		}
	}
}

// decodeKey decodes a quoted or bare member name by letting the JSON5
// decoder read a one-member object made of it.
func decodeKey(tok []byte) (string, error) {
	var m map[string]any
	obj := append(append([]byte("{"), tok...), []byte(":0}")...)
	if err := json5.Unmarshal(obj, &m); err != nil || len(m) != 1 {
		return "", errKeyScan
	}
	for k := range m {
		return k, nil
	}
	return "", errKeyScan
}

func (s *keyScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// space skips white space and comments.
func (s *keyScanner) space() {
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
			c == '\v' || c == '\f':
			s.i++
		case c == '/' && s.i+1 < len(s.b) && s.b[s.i+1] == '/':
			for s.i < len(s.b) && s.b[s.i] != '\n' {
				s.i++
			}
		case c == '/' && s.i+1 < len(s.b) && s.b[s.i+1] == '*':
			s.i += 2
			for s.i+1 < len(s.b) &&
				(s.b[s.i] != '*' || s.b[s.i+1] != '/') {
				s.i++
			}
			s.i += 2
		default:
			return
		}
	}
}

// skipKey moves past a quoted string or a bare identifier.
func (s *keyScanner) skipKey() error {
	if s.i < len(s.b) && (s.b[s.i] == '"' || s.b[s.i] == '\'') {
		return s.skipString()
	}
	start := s.i
	for s.i < len(s.b) && !isDelim(s.b[s.i]) && s.b[s.i] != ':' {
		s.i++
	}
	if s.i == start {
		return errKeyScan
	}
	return nil
}

// skipValue moves past one value: a string, an object or array with all it
// holds, or a bare literal.
func (s *keyScanner) skipValue() error {
	s.space()
	if s.i >= len(s.b) {
		return errKeyScan
	}
	switch s.b[s.i] {
	case '"', '\'':
		return s.skipString()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch c := s.b[s.i]; c {
			case '"', '\'':
				if err := s.skipString(); err != nil {
					return err
				}
				continue
			case '/':
				before := s.i
				if s.space(); s.i == before {
					return errKeyScan
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				return nil
			}
		}
		return errKeyScan
	}
	start := s.i
	for s.i < len(s.b) && !isDelim(s.b[s.i]) {
		s.i++
	}
	if s.i == start {
		return errKeyScan
	}
	return nil
}

// skipString moves past a single- or double-quoted string.
func (s *keyScanner) skipString() error {
	quote := s.b[s.i]
	for s.i++; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '\\':
			s.i++
		case quote:
			s.i++
			return nil
		}
	}
	return errKeyScan
}

func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r', '\v', '\f', '/':
		return true
	}
	return false
}
