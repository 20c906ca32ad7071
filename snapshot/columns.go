package snapshot

// The files of a snapshot directory and their columns, in the order Write emits them.
// Read accepts the columns of a file in any order but requires every one of them and
// rejects any other. docs/snapshot.md describes each column.
const (
	FileApplications = "applications.csv"
	FileMembers      = "members.csv"
	FileAssessments  = "medical_assessments.csv"
	FileConditions   = "medical_conditions.csv"
	FileBandHistory  = "band_history.csv"
	FileOverrides    = "overrides.csv"
	FileRefusals     = "refusals.csv"
	FileLandlords    = "landlords.csv"
	FileCycles       = "cycles.csv"
	FileAdverts      = "adverts.csv"
	FileLocalLetting = "local_lettings.csv"
	FileBids         = "bids.csv"
	// The pre-decision state of applications decisions changed (Snapshot.Bases): the
	// status in register_base.csv, the nested rows in the three files after it, with the
	// columns of band_history.csv, overrides.csv and refusals.csv.
	FileBase          = "register_base.csv"
	FileBaseHistory   = "register_base_band_history.csv"
	FileBaseOverrides = "register_base_overrides.csv"
	FileBaseRefusals  = "register_base_refusals.csv"
)

// Files lists every file of a snapshot with its columns, in the order Read loads them
// (parents before the rows that reference them).
var Files = []struct {
	Name    string
	Columns []string
}{
	{FileApplications, applicationColumns},
	{FileMembers, memberColumns},
	{FileAssessments, assessmentColumns},
	{FileConditions, conditionColumns},
	{FileBandHistory, bandHistoryColumns},
	{FileOverrides, overrideColumns},
	{FileRefusals, refusalColumns},
	{FileLandlords, landlordColumns},
	{FileCycles, cycleColumns},
	{FileAdverts, advertColumns},
	{FileLocalLetting, localLettingColumns},
	{FileBids, bidColumns},
	{FileBase, baseColumns},
	{FileBaseHistory, bandHistoryColumns},
	{FileBaseOverrides, overrideColumns},
	{FileBaseRefusals, refusalColumns},
}

var applicationColumns = []string{
	"id", "registered", "status", "status_reason", "status_until", "area", "mobility",
	"home_bedrooms", "tenure", "homeowner", "sharing_facilities", "disrepair",
	"nn_connection", "right_to_move", "legal_agreement_areas",
	"immigration_ineligible", "homeless_duty", "armed_forces", "care_leaver",
	"care_leaver_nnc", "adult_social_care_move_on", "domestic_abuse",
	"sheltered_eligible", "connected", "guarantor", "unacceptable_behaviour",
	"exceptional_circumstances", "working", "debt_amount", "debt_last_owed",
	"ethnic_group", "disability", "economic_status",
}

// optionalColumns are the columns a file may leave out: an absent column is empty in
// every row. They were added after snapshots were first written (equality monitoring,
// issue 15), so that a snapshot written before them still reads; Write always writes them.
var optionalColumns = map[string][]string{
	FileApplications: {"ethnic_group", "disability", "economic_status"},
}

var memberColumns = []string{
	"application", "name", "born", "sex", "relationship", "joint", "pregnancy_due",
}

var assessmentColumns = []string{
	"id", "application", "requested", "assessed", "assessor",
	"ground_floor_or_lift", "level_access", "wheelchair", "extra_bedrooms",
}

var conditionColumns = []string{"assessment", "name", "severity", "impact"}

var bandHistoryColumns = []string{"application", "band", "from", "to", "effective", "reason", "by"}

var overrideColumns = []string{
	"application", "kind", "band", "criterion", "effective", "reason", "by", "on", "removed",
}

var refusalColumns = []string{"application", "advert", "on", "kind", "counted", "final", "by"}

var landlordColumns = []string{"id", "name", "council", "nomination_share"}

var cycleColumns = []string{"id", "opens", "closes", "policy"}

var advertColumns = []string{
	"id", "cycle", "landlord", "locality", "bedrooms", "bed_spaces", "type", "garden",
	"floor", "lift", "access", "sheltered", "min_age", "max_age", "legal_agreement_area",
	"ordering", "weekly_rent", "closes", "withdrawn",
}

var localLettingColumns = []string{"advert", "label", "fact", "is", "gte", "lte", "value"}

var bidColumns = []string{"application", "advert", "placed", "autobid", "withdrawn", "by"}

var baseColumns = []string{"application", "decision", "status", "status_reason", "status_until"}
