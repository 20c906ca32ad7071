package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Predicate is a condition over Facts, written as data. Exactly one form is set:
//
//	{"all": [p, ...]}             every p holds
//	{"any": [p, ...]}             at least one p holds
//	{"not": p}                    p does not hold
//	{"fact": "homeowner"}         a yes/no fact is yes ("is": false for no)
//	{"fact": "age", "lt": 16}     a number fact compared: eq, ne, lt, lte, gt, gte
//	{"fact": "homeless_duty", "in": ["main", "relief"]}   a choice fact is one of these
//
// The vocabulary of facts is closed (see FactNames); this is not a scripting language.
type Predicate struct {
	All  []Predicate `json:"all,omitempty"`
	Any  []Predicate `json:"any,omitempty"`
	Not  *Predicate  `json:"not,omitempty"`
	Fact string      `json:"fact,omitempty"`
	Is   *bool       `json:"is,omitempty"`
	Eq   *int        `json:"eq,omitempty"`
	Ne   *int        `json:"ne,omitempty"`
	Lt   *int        `json:"lt,omitempty"`
	Lte  *int        `json:"lte,omitempty"`
	Gt   *int        `json:"gt,omitempty"`
	Gte  *int        `json:"gte,omitempty"`
	In   []string    `json:"in,omitempty"`

	eval func(*Facts) bool
}

// Eval reports whether the predicate holds for f. The predicate must come from a loaded
// policy (Parse compiles it); an uncompiled predicate is false.
func (p *Predicate) Eval(f *Facts) bool {
	if p.eval == nil {
		return false
	}
	return p.eval(f)
}

// Facts lists, sorted and without repeats, every fact the predicate reads.
func (p *Predicate) Facts() []string {
	var out []string
	p.walk(func(q *Predicate) {
		if q.Fact != "" {
			out = append(out, q.Fact)
		}
	})
	slices.Sort(out)
	return slices.Compact(out)
}

func (p *Predicate) walk(fn func(*Predicate)) {
	fn(p)
	for i := range p.All {
		p.All[i].walk(fn)
	}
	for i := range p.Any {
		p.Any[i].walk(fn)
	}
	if p.Not != nil {
		p.Not.walk(fn)
	}
}

// String renders the predicate for people: "homeowner and not (sheltered_eligible or …)".
func (p *Predicate) String() string {
	join := func(ps []Predicate, op string) string {
		parts := make([]string, len(ps))
		for i := range ps {
			s := ps[i].String()
			if len(ps[i].All)+len(ps[i].Any) > 1 {
				s = "(" + s + ")"
			}
			parts[i] = s
		}
		return strings.Join(parts, " "+op+" ")
	}
	switch {
	case p.All != nil:
		return join(p.All, "and")
	case p.Any != nil:
		return join(p.Any, "or")
	case p.Not != nil:
		return "not (" + p.Not.String() + ")"
	case p.Is != nil && !*p.Is:
		return "not " + p.Fact
	case p.In != nil:
		return fmt.Sprintf("%s in [%s]", p.Fact, strings.Join(p.In, ", "))
	}
	for _, c := range p.cmps() {
		if c.v != nil {
			return fmt.Sprintf("%s %s %d", p.Fact, c.sym, *c.v)
		}
	}
	return p.Fact
}

type cmp struct {
	name, sym string
	v         *int
	ok        func(a, b int) bool
}

func (p *Predicate) cmps() []cmp {
	return []cmp{
		{"eq", "=", p.Eq, func(a, b int) bool { return a == b }},
		{"ne", "≠", p.Ne, func(a, b int) bool { return a != b }},
		{"lt", "<", p.Lt, func(a, b int) bool { return a < b }},
		{"lte", "≤", p.Lte, func(a, b int) bool { return a <= b }},
		{"gt", ">", p.Gt, func(a, b int) bool { return a > b }},
		{"gte", "≥", p.Gte, func(a, b int) bool { return a >= b }},
	}
}

// compile checks p against the vocabulary and builds its evaluator. enums supplies the
// choices of facts whose values the policy itself defines (medical_level). Every problem
// is reported through bad with its path below at.
func (p *Predicate) compile(at string, enums map[string][]string, bad func(path, msg string)) {
	forms := 0
	for _, set := range []bool{p.All != nil, p.Any != nil, p.Not != nil, p.Fact != ""} {
		if set {
			forms++
		}
	}
	if forms != 1 {
		bad(at, "a condition needs exactly one of all, any, not or fact")
		p.eval = func(*Facts) bool { return false }
		return
	}
	switch {
	case p.All != nil || p.Any != nil:
		list, name := p.All, "all"
		if p.Any != nil {
			list, name = p.Any, "any"
		}
		if len(list) == 0 {
			bad(at+"."+name, "empty list")
		}
		fns := make([]func(*Facts) bool, len(list))
		for i := range list {
			list[i].compile(fmt.Sprintf("%s.%s[%d]", at, name, i), enums, bad)
			fns[i] = list[i].eval
		}
		if p.All != nil {
			p.eval = func(f *Facts) bool {
				for _, fn := range fns {
					if !fn(f) {
						return false
					}
				}
				return true
			}
		} else {
			p.eval = func(f *Facts) bool {
				for _, fn := range fns {
					if fn(f) {
						return true
					}
				}
				return false
			}
		}
	case p.Not != nil:
		p.Not.compile(at+".not", enums, bad)
		inner := p.Not.eval
		p.eval = func(f *Facts) bool { return !inner(f) }
	default:
		p.compileFact(at, enums, bad)
	}
}

func (p *Predicate) compileFact(at string, enums map[string][]string, bad func(path, msg string)) {
	p.eval = func(*Facts) bool { return false }
	def, ok := vocabulary[p.Fact]
	if !ok {
		bad(at+".fact", fmt.Sprintf("unknown fact %q (known: %s)", p.Fact, strings.Join(FactNames(), ", ")))
		return
	}
	var set []cmp
	for _, c := range p.cmps() {
		if c.v != nil {
			set = append(set, c)
		}
	}
	switch def.kind {
	case kindBool:
		if len(set) > 0 || p.In != nil {
			bad(at, fmt.Sprintf("fact %q is yes/no: use \"is\", not a comparison", p.Fact))
			return
		}
		want := p.Is == nil || *p.Is
		get := def.b
		p.eval = func(f *Facts) bool { return get(f) == want }
	case kindInt:
		if p.Is != nil || p.In != nil || len(set) != 1 {
			bad(at, fmt.Sprintf("fact %q is a number: use exactly one of eq, ne, lt, lte, gt, gte", p.Fact))
			return
		}
		get, op, v := def.i, set[0].ok, *set[0].v
		p.eval = func(f *Facts) bool { return op(get(f), v) }
	case kindEnum:
		if p.Is != nil || len(set) > 0 || len(p.In) == 0 {
			bad(at, fmt.Sprintf("fact %q is a choice: use \"in\" with a non-empty list", p.Fact))
			return
		}
		allowed := def.values
		if allowed == nil {
			allowed = enums[p.Fact]
		}
		for i, v := range p.In {
			if !slices.Contains(allowed, v) {
				bad(fmt.Sprintf("%s.in[%d]", at, i), fmt.Sprintf("%q is not a value of %s (one of %s)", v, p.Fact, quoteAll(allowed)))
			}
		}
		get, in := def.s, slices.Clone(p.In)
		p.eval = func(f *Facts) bool { return slices.Contains(in, get(f)) }
	}
}
