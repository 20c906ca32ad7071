package synth

import (
	"fmt"
	"math"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// Joiners returns the applications that join the register from day from up to (not
// including) day to, at cfg.Register.JoinersPerMonth, with ids from firstID upwards:
// the simulator's new joiners. They are drawn like the register's applications, with
// target bands from Register.JoinerBands (the flow's mix) when it is set, and described as
// they stand on day to (recent ones still pending). The random stream
// depends on the seed and on from, so consecutive windows are independent and each is
// reproducible.
func Joiners(cfg Config, p *policy.Policy, from, to register.Date, firstID int64) ([]register.Application, error) {
	if to <= from {
		return nil, fmt.Errorf("synth: joiners from %s to %s: the window is empty", from, to)
	}
	cfg.AsOf = to
	if len(cfg.Register.JoinerBands) > 0 {
		cfg.Register.Bands = cfg.Register.JoinerBands
	}
	g, err := newGen(&cfg, p)
	if err != nil {
		return nil, err
	}
	g.joinFrom = from
	n := int(math.Round(float64(cfg.Register.JoinersPerMonth) * float64(to-from) / 30.44))
	apps := make([]register.Application, n)
	chunks := (n + chunkSize - 1) / chunkSize
	parallel(chunks, func(c int) {
		r := newRand(cfg.Seed, streamJoiners, uint64(from)<<20|uint64(c))
		for i := c * chunkSize; i < min(n, (c+1)*chunkSize); i++ {
			g.application(r, firstID+int64(i), &apps[i])
			g.monitoring(&apps[i])
		}
	})
	return apps, nil
}
