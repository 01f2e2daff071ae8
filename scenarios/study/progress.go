package study

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// IsTerminal reports whether f is a character device (a terminal), the
// condition for drawing a progress bar on it.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// ProgressBar returns a Progress callback that redraws one line on w, such as
//
//	[##########----------]  12/24 replications  50%  ETA 3s
//
// at most every interval (and always for the last replication), and ends the
// line when every planned replication is done. Use it only when w is a
// terminal (see IsTerminal): the output is for people, not for files.
func ProgressBar(w io.Writer, interval time.Duration) func(Progress) {
	var last time.Time
	return func(p Progress) {
		now := time.Now()
		final := p.Done >= p.Total
		if !final && now.Sub(last) < interval {
			return
		}
		last = now
		fmt.Fprintf(w, "\r%s", progressLine(p, 30))
		if final {
			fmt.Fprintln(w)
		}
	}
}

func progressLine(p Progress, width int) string {
	frac := 0.0
	if p.Total > 0 {
		frac = float64(p.Done) / float64(p.Total)
	}
	fill := int(frac * float64(width))
	bar := strings.Repeat("#", fill) + strings.Repeat("-", width-fill)
	eta := "ETA --"
	if p.Done > 0 {
		eta = "ETA " + p.ETA.Round(time.Second).String()
	}
	if p.Done >= p.Total {
		eta = "in " + p.Elapsed.Round(10*time.Millisecond).String()
	}
	return fmt.Sprintf("[%s] %d/%d replications %3.0f%% %s   ", bar, p.Done, p.Total, 100*frac, eta)
}
