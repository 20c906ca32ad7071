package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
	"github.com/cbl-lettings/cbl/synth"
)

// Config is everything a multi-cycle run needs besides the register and the policy.
// It is plain data; Progress aside, it round-trips through JSON.
type Config struct {
	// Seed keys every draw: supply, joiners, bids, changes, leavers and the walk.
	Seed uint64 `json:"seed"`
	// Weeks is how many weekly cycles to run.
	Weeks int `json:"weeks"`
	// Start is the day the run starts: the first cycle opens on the first opening weekday
	// on or after it. Zero: the day after the register's last registration, cycle close
	// or advert close.
	Start register.Date `json:"start,omitempty"`
	// Synth supplies the model's data: Supply (adverts per week, their mix, landlords),
	// Behaviour (who bids on what, changes of circumstances, leavers) and
	// Register.JoinersPerMonth, JoinerBands and PendingDays (new joiners). Its Seed, AsOf and
	// Supply.Cycles are set by the simulator. Synth.Policy names the geography policy:
	// its autobid areas place homes, joiners and bids, the same under every policy run.
	Synth synth.Config `json:"synth"`
	// Behaviour answers the walk of each cycle (verifications, replies, landlords).
	Behaviour Behaviour `json:"behaviour"`
	// Progress, if set, is called after each cycle of each policy run.
	Progress func(policy string, done, total int) `json:"-"`
	// Observe, if set, is called after each cycle's week is run, with the week and the
	// register at its close (before the households housed leave it): for breakdowns the
	// run result does not keep, such as outcomes by group (EqualityRecorder). res holds
	// the week's profiles (res.Closed.Closing's index), which the run's assessor
	// overwrites two weeks later (bidding.Assessor): copy what you keep, not res.
	Observe func(res *WeekResult, apps []register.Application) `json:"-"`
}

// DefaultConfig is 52 weeks at Keyways scale (synth.Keyways) with the default behaviour.
func DefaultConfig() Config { return ConfigFor(synth.Keyways()) }

// BirminghamConfig is DefaultConfig with Birmingham's supply and joiners
// (synth.Birmingham: 50 adverts a week).
func BirminghamConfig() Config { return ConfigFor(synth.Birmingham()) }

// ConfigFor is 52 weeks with sc's supply and rates, seed 1, and the default behaviour
// with sc's refusal and no-reply rates (synth.Behaviour.RefusalProbability and
// NoReplyProbability).
func ConfigFor(sc synth.Config) Config {
	b := DefaultBehaviour()
	b.Refusal, b.NoReply = sc.Behaviour.RefusalProbability, sc.Behaviour.NoReplyProbability
	return Config{Seed: 1, Weeks: 52, Synth: sc, Behaviour: b}
}

// DecodeConfig reads a JSON config (a file of `cbl simulate --config`) over c: the
// fields it names replace c's, an unknown field or a second JSON value is refused, and
// the result must Validate.
func DecodeConfig(data []byte, c *Config) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return c.Validate()
}

// ReadConfig reads a JSON config file over c (DecodeConfig); errors name the file.
func ReadConfig(file string, c *Config) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := DecodeConfig(data, c); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// Validate reports the first setting a run cannot use.
func (c *Config) Validate() error {
	if c.Weeks < 1 {
		return fmt.Errorf("simulate config: weeks: %d: want at least 1", c.Weeks)
	}
	if c.Synth.Supply.AdvertsPerWeek < 0 {
		return errors.New("simulate config: synth.supply.adverts_per_week: negative")
	}
	if _, err := policy.Builtin(c.Synth.Policy); err != nil {
		return fmt.Errorf("simulate config: synth.policy (the geography policy): %w", err)
	}
	return c.Behaviour.Validate()
}
