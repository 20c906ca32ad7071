// Package report renders the outcome of a policy simulation as one self-contained HTML page:
// the same register, adverts and bids allocated under two policies, side by side.
//
// The caller (the simulator) fills a [Data] — plain, JSON-serialisable figures: lets by band,
// weeks waited by band and bedroom size, the band-movement matrix, refusals, closures and bids
// per advert for each policy — and [Write] turns it into HTML with inline CSS and inline SVG
// charts drawn here in Go. The page has no scripts, fonts, images or links to fetch, so it opens
// in a browser with no network and can be mailed or archived as one file. Every string goes
// through html/template, so labels from data cannot inject markup.
//
// The page shows, in order: a summary (run details and outcome counts), a grouped bar chart of
// lets by band ([IDLetsChart]) with its table, small multiples of median weeks waited with
// quartile whiskers ([IDWaitsChart]), the band-movement matrix as a shaded table
// ([IDMovement]) with a short tally, and the full table of waits. docs/report.md explains how to
// read each part; scripts/report-screenshot.sh renders a page in headless chromium and checks
// the charts are in the rendered DOM.
//
// Policy 1 is drawn solid blue and policy 2 hatched orange, so the two differ by pattern as well
// as colour, and every bar's figure is also in a table.
package report
