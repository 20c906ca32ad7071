package snapshot

// Count is how many rows one snapshot file holds.
type Count struct {
	File string `json:"file"`
	Rows int    `json:"rows"`
}

// Counts returns the number of rows s has in each snapshot file, in Files order.
func (s *Snapshot) Counts() []Count {
	n := map[string]int{
		FileApplications: len(s.Applications), FileLandlords: len(s.Landlords),
		FileCycles: len(s.Cycles), FileAdverts: len(s.Adverts), FileBids: len(s.Bids),
	}
	for _, a := range s.Applications {
		n[FileMembers] += len(a.Members)
		n[FileAssessments] += len(a.Medical)
		for _, m := range a.Medical {
			n[FileConditions] += len(m.Conditions)
		}
		n[FileBandHistory] += len(a.History)
		n[FileOverrides] += len(a.Overrides)
		n[FileRefusals] += len(a.Refusals)
	}
	for _, a := range s.Adverts {
		n[FileLocalLetting] += len(a.LocalLettings)
	}
	n[FileBase] = len(s.Bases)
	for _, b := range s.Bases {
		n[FileBaseHistory] += len(b.History)
		n[FileBaseOverrides] += len(b.Overrides)
		n[FileBaseRefusals] += len(b.Refusals)
	}
	out := make([]Count, len(Files))
	for i, f := range Files {
		out[i] = Count{File: f.Name, Rows: n[f.Name]}
	}
	return out
}
