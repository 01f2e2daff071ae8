package plots

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Progress draws a progress bar for long runs: simulated time against the end
// and events handled per wall-clock second, redrawn at most every Interval. It
// draws nothing unless its writer is a terminal.
type Progress struct {
	w        io.Writer
	on       bool
	Interval time.Duration
	// now is the wall clock (replaceable in tests).
	now       func() time.Time
	start     time.Time
	last      time.Time
	lastEv    uint64
	lastAt    time.Time
	drawn     bool
	barWidth  int
	lastWidth int
	// The wall clock is read every `every` calls, adapted so that it is read
	// about 64 times per Interval: Update can be called on every event.
	calls, every int
	lastCheck    time.Time
}

// NewProgress returns a progress bar writing to w (usually stderr). When
// isTerminal is false it writes nothing at all, so that redirected output stays
// clean.
func NewProgress(w io.Writer, isTerminal bool) *Progress {
	return NewProgressClock(w, isTerminal, time.Now)
}

// NewProgressClock is NewProgress with another wall clock (for tests).
func NewProgressClock(w io.Writer, isTerminal bool, now func() time.Time) *Progress {
	return &Progress{w: w, on: isTerminal, Interval: 200 * time.Millisecond, now: now, barWidth: 30, every: 1}
}

// Update reports that the simulation reached simNow of end after events
// events. It is cheap enough to call on every event: it reads the wall clock
// only now and then, and redraws only when Interval has passed since the last
// redraw.
func (p *Progress) Update(simNow, end time.Duration, events uint64) {
	if p == nil || !p.on {
		return
	}
	if p.calls++; p.calls < p.every {
		return
	}
	p.calls = 0
	t := p.now()
	switch d := t.Sub(p.lastCheck); {
	case d < p.Interval/64 && p.every < 1<<20:
		p.every *= 2
	case d > p.Interval/16 && p.every > 1:
		p.every /= 2
	}
	p.lastCheck = t
	if p.start.IsZero() {
		p.start, p.lastAt = t, t
		return
	}
	if t.Sub(p.last) < p.Interval {
		return
	}
	p.last = t
	rate := 0.0
	if dt := t.Sub(p.lastAt).Seconds(); dt > 0 {
		rate = float64(events-p.lastEv) / dt
	}
	p.lastEv, p.lastAt = events, t
	p.draw(simNow, end, events, rate)
}

func (p *Progress) draw(simNow, end time.Duration, events uint64, rate float64) {
	frac := 0.0
	if end > 0 {
		frac = float64(simNow) / float64(end)
	}
	frac = min(max(frac, 0), 1)
	full := int(frac * float64(p.barWidth))
	bar := strings.Repeat("█", full) + strings.Repeat("░", p.barWidth-full)
	line := fmt.Sprintf("\r%s %3.0f%%  %s / %s simulated  %s events  %s events/s",
		bar, 100*frac, shortDuration(simNow), shortDuration(end), si(float64(events)), si(rate))
	// Pad over a longer previous line.
	if n := len(line); n < p.lastWidth {
		line += strings.Repeat(" ", p.lastWidth-n)
	}
	p.lastWidth = len(line)
	fmt.Fprint(p.w, line)
	p.drawn = true
}

// Done clears the bar (if one was drawn), leaving the terminal as it was.
func (p *Progress) Done() {
	if p == nil || !p.on || !p.drawn {
		return
	}
	fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.lastWidth)+"\r")
	p.drawn = false
}

func shortDuration(d time.Duration) string {
	return d.Round(time.Second).String()
}

// si writes v with a k/M/G suffix.
func si(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.1fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
