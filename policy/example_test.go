package policy_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// The shipped policies: the scheme in force and the October 2025 review. Day is the
// scheme's "today" for a moment: 00:30 BST is already the next day.
func ExampleBuiltin() {
	p, err := policy.Builtin("nn-2021")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Name(), "-", p.Title)
	fmt.Println("in force on 2026-11-23:", p.InForce(register.MustDate("2026-11-23")))
	fmt.Println("bids a week:", p.Bidding.MaxLiveBids)
	at := time.Date(2026, 6, 11, 23, 30, 0, 0, time.UTC)
	fmt.Println(at.Format(time.RFC3339), "is", p.Day(at), "in", p.Location())
	fmt.Println(policy.Builtins().IDs())
	// Output:
	// nn-2021@1 - North Northamptonshire Keyways Housing Allocation Scheme (2021, in force)
	// in force on 2026-11-23: true
	// bids a week: 3
	// 2026-06-11T23:30:00Z is 2026-06-12 in Europe/London
	// [england-synthetic nn-2021 nn-2025-proposed]
}

// Parse checks a policy file completely and reports every problem with its JSON path.
func ExampleParse() {
	data, err := os.ReadFile("policies/nn-2021.json")
	if err != nil {
		panic(err)
	}
	p, err := policy.Parse("nn-2021.json", data)
	if err != nil {
		panic(err)
	}
	fmt.Println("parsed", p.Name())

	// The same file with a fact the vocabulary does not have.
	bad := strings.Replace(string(data), `"fact": "homeless_duty"`, `"fact": "homless_duty"`, 1)
	_, err = policy.Parse("typo.json", []byte(bad))
	var le *policy.LoadError
	fmt.Println(errors.As(err, &le))
	fmt.Println(err)
	// Output:
	// parsed nn-2021@1
	// true
	// policy typo.json rejected:
	//   typo.json: criteria[0].when.any[0].fact: unknown fact "homless_duty" (known: adult_social_care_move_on, age, armed_forces, bedroom_need, bedroom_shortfall, care_leaver, care_leaver_nnc, dependent_children, disrepair, domestic_abuse, exceptional_circumstances, guarantor, homeless_duty, homeowner, household_type, housing_debt, immigration_ineligible, legal_agreement_connection, local_connection, medical_level, medical_points, mobility, months_since_housing_debt, right_to_move, sharing_facilities, sheltered_eligible, temporary_accommodation, tenure, unacceptable_behaviour, working)
}
