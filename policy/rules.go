package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cbl-lettings/cbl/register"
)

// Rule is one rule of a policy, for people: a criterion, a qualification rule, a property
// rule, an additional-preference class, an autobid area, or one setting (a leaf of the
// file such as bidding.max_live_bids). Rules and Diff describe a policy in these units.
type Rule struct {
	// Path is the rule's JSON path in the file: criteria[6], bidding.max_live_bids.
	Path string `json:"path"`
	// Section is the file's top-level field the rule is under: criteria, bidding, ….
	Section string `json:"section"`
	// Key identifies the rule across versions: the section and the rule's id (or code),
	// e.g. criteria[overcrowded_two]; for a setting, its path.
	Key string `json:"key"`
	// Label is what officers read (a criterion's label), or the setting's path.
	Label string `json:"label"`
	// Fields are the rule's parts, in file order, each rendered readably (conditions as
	// "bedroom_shortfall ≥ 2", lists as "A, B").
	Fields []Field `json:"fields"`
}

// Field is one part of a rule.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Text is the rule on one line: "Band B: Overcrowded: lacking two or more bedrooms
// (S2.5) when bedroom_shortfall ≥ 2".
func (r Rule) Text() string {
	parts := []string{}
	for _, f := range r.Fields {
		switch {
		case f.Value == "" || f.Name == "label":
		case f.Name == "band":
			parts = append(parts, f.Value)
		default:
			parts = append(parts, f.Name+" "+f.Value)
		}
	}
	if r.Key == r.Path { // a setting
		return r.Label + " = " + r.field("value")
	}
	return r.Label + " — " + strings.Join(parts, "; ")
}

func (r Rule) field(name string) string {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func bands(bs []register.Band) string {
	s := make([]string, len(bs))
	for i, b := range bs {
		s[i] = b.String()
	}
	return strings.Join(s, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Rules lists every rule of p in file order: the top-level settings, qualification
// rules, criteria, then each section's settings and keyed rules.
func Rules(p *Policy) []Rule {
	var out []Rule
	keyed := func(section, path, id, label string, fields ...Field) {
		out = append(out, Rule{Path: path, Section: section, Key: fmt.Sprintf("%s[%s]", strings.SplitN(path, "[", 2)[0], id),
			Label: label, Fields: fields})
	}
	// Settings: every leaf of the file outside the keyed lists, in the order json writes them.
	leaves := func(section string, v any) {
		data, _ := json.Marshal(v)
		var generic any
		_ = json.Unmarshal(data, &generic)
		flatten(section, generic, func(path, value string) {
			out = append(out, Rule{Path: path, Section: section, Key: path, Label: path,
				Fields: []Field{{Name: "value", Value: value}}})
		})
	}
	head := map[string]string{"id": p.ID, "version": strconv.Itoa(p.Version), "title": p.Title,
		"effective_from": p.EffectiveFrom.String(), "source": p.Source}
	if !p.EffectiveTo.IsZero() {
		head["effective_to"] = p.EffectiveTo.String()
	}
	for _, k := range []string{"id", "version", "title", "effective_from", "effective_to", "source"} {
		if v, ok := head[k]; ok {
			out = append(out, Rule{Path: k, Section: k, Key: k, Label: k, Fields: []Field{{Name: "value", Value: v}}})
		}
	}
	for i, r := range p.Qualification.Rules {
		keyed("qualification", fmt.Sprintf("qualification.rules[%d]", i), r.Code, r.Label,
			Field{"label", r.Label}, Field{"clause", r.Clause}, Field{"does not qualify when", r.When.String()})
	}
	leaves("qualification", struct {
		NoNeedCode        string `json:"no_need_code"`
		GuarantorBelowAge int    `json:"guarantor_below_age"`
	}{p.Qualification.NoNeedCode, p.Qualification.GuarantorBelowAge})
	for i, c := range p.Criteria {
		keyed("criteria", fmt.Sprintf("criteria[%d]", i), c.ID, c.Label,
			Field{"band", "Band " + c.Band.String()}, Field{"label", c.Label}, Field{"clause", c.Clause},
			Field{"when", c.When.String()})
	}
	leaves("effective_date", p.EffectiveDate)
	leaves("medical", p.Medical)
	leaves("bedrooms", p.Bedrooms)
	props := p.Properties
	props.Rules = nil
	leaves("properties", props)
	for i, r := range p.Properties.Rules {
		adv, _ := json.Marshal(r.Advert)
		req := ""
		if r.Requires != nil {
			req = r.Requires.String()
		}
		keyed("properties", fmt.Sprintf("properties.rules[%d]", i), r.ID, r.Label,
			Field{"label", r.Label}, Field{"clause", r.Clause}, Field{"code", r.Code}, Field{"adverts", string(adv)},
			Field{"only bands", bands(r.OnlyBands)}, Field{"requires", req},
			Field{"requires area connection", yesNo(r.RequiresAreaConnection)})
	}
	leaves("cycle", p.Cycle)
	bid := p.Bidding
	bid.AutobidAreas = nil
	leaves("bidding", bid)
	for i, a := range p.Bidding.AutobidAreas {
		keyed("bidding", fmt.Sprintf("bidding.autobid_areas[%d]", i), a.ID, "autobid area "+a.ID,
			Field{"localities", strings.Join(a.Localities, ", ")})
	}
	leaves("shortlist", p.Shortlist)
	for i, a := range p.AdditionalPreference {
		keyed("additional_preference", fmt.Sprintf("additional_preference[%d]", i), a.ID, a.Label,
			Field{"label", a.Label}, Field{"clause", a.Clause}, Field{"when", a.When.String()},
			Field{"only bands", bands(a.OnlyBands)}, Field{"effect", a.Effect})
	}
	leaves("refusals", p.Refusals)
	leaves("nominations", p.Nominations)
	leaves("upkeep", p.Upkeep)
	return out
}

// flatten calls leaf for every leaf of a decoded JSON value under path; a list of
// plain values is one leaf ("a, b"), a list of objects is walked by index.
func flatten(path string, v any, leaf func(path, value string)) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			flatten(path+"."+k, x[k], leaf)
		}
	case []any:
		plain := true
		for _, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				plain = false
			}
		}
		if plain {
			s := make([]string, len(x))
			for i, e := range x {
				s[i] = scalar(e)
			}
			leaf(path, strings.Join(s, ", "))
			return
		}
		for i, e := range x {
			flatten(fmt.Sprintf("%s[%d]", path, i), e, leaf)
		}
	default:
		leaf(path, scalar(x))
	}
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		return yesNo(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// Change is one difference between two policies, rule by rule.
type Change struct {
	// Kind is "changed" (a field of a rule both have), "added" (only in B) or "removed"
	// (only in A).
	Kind string `json:"kind"`
	// Key identifies the rule (Rule.Key); Path is its JSON path in B (in A when removed).
	Key   string `json:"key"`
	Path  string `json:"path"`
	Label string `json:"label"`
	// Field is the part that differs ("band", "when", "value"); empty when added or removed.
	Field string `json:"field,omitempty"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	// Text says it in plain English: "Overcrowded: lacking one bedroom: Band C → Band A".
	Text string `json:"text"`
}

// Diff lists every rule that differs between a and b, in b's rule order with rules only
// in a last: each changed field of a rule both have (criteria by id, qualification rules
// by code, property rules, preference classes and autobid areas by id, settings by path),
// and each rule only one has.
func Diff(a, b *Policy) []Change {
	ra, rb := Rules(a), Rules(b)
	inA := map[string]Rule{}
	for _, r := range ra {
		inA[r.Key] = r
	}
	inB := map[string]bool{}
	var out []Change
	for _, r := range rb {
		inB[r.Key] = true
		old, ok := inA[r.Key]
		if !ok {
			out = append(out, Change{Kind: "added", Key: r.Key, Path: r.Path, Label: r.Label,
				Text: "added: " + r.Text()})
			continue
		}
		for _, f := range r.Fields {
			was := old.field(f.Name)
			if was == f.Value {
				continue
			}
			c := Change{Kind: "changed", Key: r.Key, Path: r.Path, Label: r.Label, Field: f.Name, From: was, To: f.Value}
			switch f.Name {
			case "value":
				c.Text = fmt.Sprintf("%s: %s → %s", r.Label, orNone(was), orNone(f.Value))
			case "band":
				c.Text = fmt.Sprintf("%s: %s → %s", r.Label, was, f.Value)
			default:
				c.Text = fmt.Sprintf("%s: %s %s → %s", r.Label, f.Name, orNone(was), orNone(f.Value))
			}
			out = append(out, c)
		}
		for _, f := range old.Fields {
			if r.field(f.Name) == "" && f.Value != "" && !slices.ContainsFunc(r.Fields, func(g Field) bool { return g.Name == f.Name }) {
				out = append(out, Change{Kind: "changed", Key: r.Key, Path: r.Path, Label: r.Label, Field: f.Name,
					From: f.Value, Text: fmt.Sprintf("%s: %s %s → (none)", r.Label, f.Name, f.Value)})
			}
		}
	}
	for _, r := range ra {
		if !inB[r.Key] {
			out = append(out, Change{Kind: "removed", Key: r.Key, Path: r.Path, Label: r.Label,
				Text: "removed: " + r.Text()})
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
