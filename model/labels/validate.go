package labels

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Limits of Kubernetes label keys and values, in bytes.
const (
	MaxNameLength   = 63  // name part of a key
	MaxPrefixLength = 253 // DNS subdomain prefix of a key
	MaxValueLength  = 63  // value
)

const (
	namePattern   = "letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. 'app', 'my.name', 'app_v-2')"
	prefixPattern = "a lowercase DNS subdomain: dot-separated parts of lowercase letters, digits and '-', each starting and ending with a letter or digit (e.g. 'example.com')"
)

// ValidateKey reports whether k is a valid label key: an optional prefix (a
// lowercase DNS-1123 subdomain of at most 253 bytes) and '/', then a name of 1 to 63
// bytes matching ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9].
func ValidateKey(k string) error {
	if msg := keyProblem(k); msg != "" {
		return fmt.Errorf("invalid label key %q: %s", k, msg)
	}
	return nil
}

// ValidateValue reports whether v is a valid label value: empty, or at most 63
// bytes matching ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9].
func ValidateValue(v string) error {
	if msg := valueProblem(v); msg != "" {
		return fmt.Errorf("invalid label value %q: %s", v, msg)
	}
	return nil
}

// ValidateLabels checks every key and value of m. The error lists every problem,
// in key order.
func ValidateLabels(m map[string]string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		if err := ValidateKey(k); err != nil {
			errs = append(errs, err)
		}
		if msg := valueProblem(m[k]); msg != "" {
			errs = append(errs, fmt.Errorf("invalid value %q of label %q: %s", m[k], k, msg))
		}
	}
	return errors.Join(errs...)
}

// keyProblem returns what is wrong with key k, or "".
func keyProblem(k string) string {
	if k == "" {
		return "a key must not be empty"
	}
	name := k
	if i := strings.IndexByte(k, '/'); i >= 0 {
		prefix := k[:i]
		name = k[i+1:]
		if strings.IndexByte(name, '/') >= 0 {
			return "a key has at most one '/': an optional prefix, '/', and a name (e.g. 'example.com/my-name')"
		}
		switch {
		case prefix == "":
			return "the prefix before '/' must not be empty"
		case len(prefix) > MaxPrefixLength:
			return fmt.Sprintf("the prefix is %d bytes long; it must be at most %d", len(prefix), MaxPrefixLength)
		case !isDNSSubdomain(prefix):
			return fmt.Sprintf("the prefix %q must be %s", prefix, prefixPattern)
		}
	}
	switch {
	case name == "":
		return "the name after '/' must not be empty"
	case len(name) > MaxNameLength:
		return fmt.Sprintf("the name is %d bytes long; it must be at most %d", len(name), MaxNameLength)
	case !isLabelName(name):
		return "the name must consist of " + namePattern
	}
	return ""
}

// valueProblem returns what is wrong with label value v, or "".
func valueProblem(v string) string {
	switch {
	case v == "":
		return ""
	case len(v) > MaxValueLength:
		return fmt.Sprintf("a value is at most %d bytes long, this one is %d", MaxValueLength, len(v))
	case !isLabelName(v):
		return "a value must be empty or consist of " + namePattern
	}
	return ""
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isLabelName matches ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] (length unchecked).
func isLabelName(s string) bool {
	if s == "" || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// isDNSSubdomain matches [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*
// (length unchecked).
func isDNSSubdomain(s string) bool {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			c := s[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
			continue
		}
		part := s[start:i]
		if part == "" || part[0] == '-' || part[len(part)-1] == '-' {
			return false
		}
		start = i + 1
	}
	return true
}

// parseInt64 is strconv.ParseInt(s, 10, 64) without the error value (and so without
// allocating): an optional sign, then one or more decimal digits, in int64 range.
func parseInt64(s string) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var u uint64
	const limit = 1 << 63
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if u > (limit)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
		if u > limit {
			return 0, false
		}
	}
	if neg {
		return -int64(u), true // -(1<<63) wraps to itself: correct
	}
	if u == limit {
		return 0, false
	}
	return int64(u), true
}
