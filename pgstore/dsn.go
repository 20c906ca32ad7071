package pgstore

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/lib/pq"
)

// A connection string can hold a password, and messages are read by people and kept in
// logs: nothing this package returns may hold one. The rule is the same for every shape
// of connection string — a URL that parses, one that does not (a raw % in a generated
// password is common), key=value pairs with or without quotes, even text that is
// neither:
//
//   - Redact rewrites a connection string for display, hiding more rather than less
//     when it cannot tell where the password ends;
//   - CheckDSN parses a connection string as the driver would, and says what is wrong
//     in our own words, never quoting the driver's parse error (net/url's quotes the
//     whole URL; lib/pq's quotes the text it could not read);
//   - RedactError and RedactMessage scrub any error text of every password the
//     connection string holds, in each spelling, as a last line of defence.

// hidden replaces a password in messages.
const hidden = "xxxxx"

// Redact returns dsn with any password replaced, for messages. A URL that net/url cannot
// parse keeps its scheme, user name and what follows the last '@'; key=value pairs keep
// every key but password; text that is neither is not shown at all.
func Redact(dsn string) string {
	if scheme, rest, ok := strings.Cut(dsn, "://"); ok {
		if u, err := url.Parse(dsn); err == nil {
			if u.User != nil {
				if _, has := u.User.Password(); has {
					u.User = url.UserPassword(u.User.Username(), hidden)
				}
			}
			// Edit the raw query rather than u.Query(): that drops a pair it cannot
			// decode (password=%zz), which would leave the password in RawQuery.
			u.RawQuery = queryPassword.ReplaceAllString(u.RawQuery, "${1}"+hidden)
			return u.String()
		}
		// The user information runs to the last '@' (a password may hold '/', '?' or '@');
		// of that, the user name runs to the first ':'.
		at := strings.LastIndex(rest, "@")
		if at < 0 {
			return scheme + "://" + queryPassword.ReplaceAllString(rest, "${1}"+hidden)
		}
		user, _, hasPassword := strings.Cut(rest[:at], ":")
		if hasPassword {
			user += ":" + hidden
		}
		return scheme + "://" + user + "@" + queryPassword.ReplaceAllString(rest[at+1:], "${1}"+hidden)
	}
	if !strings.Contains(dsn, "=") {
		if strings.TrimSpace(dsn) == "" {
			return dsn
		}
		// Neither a URL nor key=value: it may be "user:password@host" typed without a
		// scheme, so none of it is shown.
		return "(not shown)"
	}
	s := keyPassword.ReplaceAllString(dsn, "${1}"+hidden)
	// A word without '=' in key=value text is a mistake the driver would quote back;
	// it may be a password that lost its key.
	return strings.Join(redactBareWords(strings.Fields(s)), " ")
}

// redactBareWords replaces the words bareWords finds.
func redactBareWords(words []string) []string {
	for _, i := range bareWords(words) {
		words[i] = hidden
	}
	return words
}

// bareWords returns the indexes of the words of key=value text that are not a pair nor
// part of one ("key = value", and a quoted value spread over several words, are pairs).
func bareWords(words []string) []int {
	var bare []int
	inQuote := false
	for i, w := range words {
		if inQuote {
			inQuote = strings.Count(w, "'")%2 == 0
			continue
		}
		if strings.Count(w, "'")%2 == 1 {
			inQuote = true
		}
		prevEq := i > 0 && strings.HasSuffix(words[i-1], "=")
		nextEq := i+1 < len(words) && strings.HasPrefix(words[i+1], "=")
		if !strings.Contains(w, "=") && !prevEq && !nextEq {
			bare = append(bare, i)
		}
	}
	return bare
}

var (
	// keyPassword finds the password of a key=value connection string: a quoted value
	// (to its closing quote, or to the end when it has none) or a bare word.
	keyPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.?)*(?:'|$)|\S+)`)
	// queryPassword finds a password parameter in a URL's query.
	queryPassword = regexp.MustCompile(`(?i)((?:^|[?&])password=)[^&]*`)
)

// CheckDSN reports whether dsn is a connection string the driver can read, with a
// message that names the problem but never the password. It does not connect.
func CheckDSN(dsn string) error {
	if !strings.Contains(dsn, "://") && !strings.Contains(dsn, "=") && strings.TrimSpace(dsn) != "" {
		return errors.New("connection string (not shown, it may hold a password): want a postgres:// or postgresql:// URL, or key=value pairs")
	}
	if scheme, _, ok := strings.Cut(dsn, "://"); ok {
		if scheme != "postgres" && scheme != "postgresql" {
			return fmt.Errorf("connection string %s: want a postgres:// or postgresql:// URL, or key=value pairs", Redact(dsn))
		}
		if _, err := url.Parse(dsn); err != nil {
			return fmt.Errorf("connection string %s: not a valid URL: %s (in a URL, a %% / @ : ? # or space in the password must be percent-encoded, e.g. %% as %%25)", Redact(dsn), urlProblem(err))
		}
	}
	if _, err := pq.NewConfig(dsn); err != nil {
		return fmt.Errorf("connection string %s: %s", Redact(dsn), RedactMessage(err.Error(), dsn))
	}
	return nil
}

// urlProblem says what net/url found wrong, without the text it quotes (which can be
// the password, or part of it: `invalid URL escape "%zz"`).
func urlProblem(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var esc url.EscapeError
	switch {
	case errors.As(err, &esc):
		return "a % not followed by two hex digits"
	case strings.Contains(err.Error(), "invalid port"):
		return "what follows the host is not a port"
	case strings.Contains(err.Error(), "userinfo"):
		return "the user name or password holds a character that must be encoded"
	case strings.Contains(err.Error(), "missing ']'"):
		return "an IPv6 host without its closing ]"
	default:
		return "it cannot be parsed"
	}
}

// RedactError returns err with every password dsn holds (and $PGPASSWORD) removed from
// its message; errors.Is and errors.As still see err.
func RedactError(err error, dsn string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := RedactMessage(msg, dsn)
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// RedactMessage returns msg with dsn itself and every password it holds replaced: the
// password as written and percent-decoded, from the URL's user information or query or
// from key=value pairs, and the value of $PGPASSWORD.
func RedactMessage(msg, dsn string) string {
	if dsn != "" && strings.Contains(msg, dsn) {
		msg = strings.ReplaceAll(msg, dsn, Redact(dsn))
	}
	for _, s := range secrets(dsn) {
		msg = strings.ReplaceAll(msg, s, hidden)
	}
	return msg
}

// secrets lists the spellings of the passwords dsn holds, longest first so that a
// password containing another is replaced whole.
func secrets(dsn string) []string {
	set := map[string]bool{}
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" || s == hidden {
			return
		}
		set[s] = true
		if d, err := url.PathUnescape(s); err == nil {
			set[d] = true
		}
		if d, err := url.QueryUnescape(s); err == nil {
			set[d] = true
		}
		// The key=value spelling the driver may quote back.
		if u, err := strconvUnquote(s); err == nil {
			set[u] = true
		}
	}
	add(os.Getenv("PGPASSWORD"))
	if cfg, err := pq.NewConfig(dsn); err == nil {
		add(cfg.Password)
	}
	if _, rest, ok := strings.Cut(dsn, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
				add(pw)
			}
		}
	} else if !strings.Contains(dsn, "=") {
		// "user:password@host" without a scheme.
		add(dsn)
		if at := strings.LastIndex(dsn, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(dsn[:at], ":"); ok {
				add(pw)
			}
		}
	} else {
		words := strings.Fields(keyPassword.ReplaceAllString(dsn, "${1}"))
		for _, i := range bareWords(words) {
			add(words[i])
		}
	}
	for _, m := range keyPassword.FindAllStringSubmatch(dsn, -1) {
		add(m[2])
	}
	for _, m := range queryPassword.FindAllStringSubmatch(dsn, -1) {
		_, v, _ := strings.Cut(m[0], "=")
		add(v)
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// strconvUnquote undoes key=value quoting: 'it\'s' is it's.
func strconvUnquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		if len(s) >= 1 && s[0] == '\'' {
			// Unterminated: what follows the quote.
			return strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(s[1:]), nil
		}
		return "", errors.New("not quoted")
	}
	return strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(s[1 : len(s)-1]), nil
}
