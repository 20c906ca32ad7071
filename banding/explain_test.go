package banding_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbl-lettings/cbl/banding"
	"github.com/cbl-lettings/cbl/register"
)

func TestExplain(t *testing.T) {
	p := nn2021(t)
	a := single(30)
	a.Home.SharingFacilities = true
	a.Connection.NN = false
	a.Flags.DomesticAbuse = true
	as, err := banding.Assess(&a, p, day)
	require.NoError(t, err)
	e := banding.Explain(as, p)
	require.Equal(t, register.BandB, e.Band)
	require.Len(t, e.Criteria, len(p.Criteria), "every criterion is listed, met or not")
	byID := map[string]banding.RuleTest{}
	for _, r := range append(e.Criteria, e.Qualification...) {
		byID[r.ID] = r
	}
	require.True(t, byID["domestic_abuse"].Applies)
	require.False(t, byID["medical_high"].Applies)
	require.Equal(t, "none", byID["medical_high"].Facts["medical_level"])
	require.False(t, byID["no_local_connection"].Applies, "domestic abuse exempts from the connection test")
	require.Equal(t, map[string]string{"local_connection": "no", "armed_forces": "no", "domestic_abuse": "yes",
		"care_leaver": "no", "care_leaver_nnc": "no", "right_to_move": "no"}, byID["no_local_connection"].Facts)
	_, err = json.Marshal(e)
	require.NoError(t, err)
}
