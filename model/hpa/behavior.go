package hpa

import (
	"math"

	"github.com/kubesim/kubesim/sim"
)

// PolicyType is a scaling policy's type.
type PolicyType string

// Policy types.
const (
	Pods    PolicyType = "Pods"
	Percent PolicyType = "Percent"
)

// Select policies.
const (
	SelectMax      = "Max"
	SelectMin      = "Min"
	SelectDisabled = "Disabled"
)

// Policy is an HPAScalingPolicy: at most Value pods (or percent) of change
// over PeriodSeconds.
type Policy struct {
	Type          PolicyType
	Value         int32
	PeriodSeconds int32
}

// Rules is HPAScalingRules with the API server's defaults applied.
type Rules struct {
	StabilizationWindowSeconds int32
	SelectPolicy               string
	Policies                   []Policy
}

// Behavior is spec.behavior (nil in a Spec: none given; the controller then
// limits a scale-up to max(2 x current, 4) and stabilizes scale-downs over
// DownscaleStabilization).
type Behavior struct {
	ScaleUp, ScaleDown Rules
}

// DefaultScaleUp is GenerateHPAScaleUpRules' default: no stabilization,
// the larger of +100% and +4 pods per 15 s.
func DefaultScaleUp() Rules {
	return Rules{StabilizationWindowSeconds: 0, SelectPolicy: SelectMax,
		Policies: []Policy{{Pods, 4, 15}, {Percent, 100, 15}}}
}

// DefaultScaleDown is GenerateHPAScaleDownRules' default: a 300 s
// stabilization window, up to -100% per 15 s.
func DefaultScaleDown() Rules {
	return Rules{StabilizationWindowSeconds: int32(DownscaleStabilization / 1e9), SelectPolicy: SelectMax,
		Policies: []Policy{{Percent, 100, 15}}}
}

type recommendation struct {
	replicas int32
	at       sim.Time
}

type scaleEvent struct {
	change   int32
	at       sim.Time
	outdated bool
}

// history is what the controller remembers of one HPA: its recent
// recommendations and scale events.
type history struct {
	recs       []recommendation
	up, down   []scaleEvent
	haveWindow bool
}

// Limit reasons and messages (the ScalingLimited condition).
const (
	msgWithin   = "the desired count is within the acceptable range"
	msgTooMany  = "the desired replica count is more than the maximum replica count"
	msgTooFew   = "the desired replica count is less than the minimum replica count"
	msgUpRate   = "the desired replica count is increasing faster than the maximum scale rate"
	msgDownRate = "the desired replica count is decreasing faster than the maximum scale rate"
)

// normalize is normalizeDesiredReplicas (no behavior): the highest
// recommendation of the downscale stabilization window, then min/max and a
// scale-up of at most max(2 x current, 4). It returns the replicas, the
// AbleToScale reason/message and the ScalingLimited status, reason and
// message.
func (h *history) normalize(now sim.Time, current, desired, minR, maxR int32) (int32, [2]string, bool, [2]string) {
	stabilized := desired
	cutoff := now - DownscaleStabilization
	old := -1
	for i, r := range h.recs {
		if r.at < cutoff {
			old = i
		} else if r.replicas > stabilized {
			stabilized = r.replicas
		}
	}
	h.record(old, desired, now)
	able := [2]string{"ReadyForNewScale", "recommended size matches current size"}
	if stabilized != desired {
		able = [2]string{"ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation"}
	}
	upLimit := int32(math.Max(2*float64(current), 4))
	maxAllowed, reason, msg := maxR, "TooManyReplicas", msgTooMany
	if maxR > upLimit {
		maxAllowed, reason, msg = upLimit, "ScaleUpLimit", msgUpRate
	}
	out, limit := stabilized, [2]string{"DesiredWithinRange", msgWithin}
	if stabilized < minR {
		out, limit = minR, [2]string{"TooFewReplicas", msgTooFew}
	} else if stabilized > maxAllowed {
		out, limit = maxAllowed, [2]string{reason, msg}
	}
	return out, able, out != stabilized, limit
}

func (h *history) record(old int, desired int32, now sim.Time) {
	if old >= 0 {
		h.recs[old] = recommendation{desired, now}
	} else {
		h.recs = append(h.recs, recommendation{desired, now})
	}
}

// normalizeWithBehavior is normalizeDesiredReplicasWithBehaviors: the
// stabilization windows (the lowest recommendation of the scale-up window,
// the highest of the scale-down one, bound the current replicas), then the
// policies' rate limits and min/max.
func (h *history) normalizeWithBehavior(now sim.Time, b *Behavior, current, desired, minR, maxR int32) (int32, [2]string, bool, [2]string) {
	up, down := desired, desired
	upCut := now - sim.Time(b.ScaleUp.StabilizationWindowSeconds)*1e9
	downCut := now - sim.Time(b.ScaleDown.StabilizationWindowSeconds)*1e9
	old := -1
	for i, r := range h.recs {
		if r.at > upCut {
			up = min(up, r.replicas)
		}
		if r.at > downCut {
			down = max(down, r.replicas)
		}
		if r.at < upCut && r.at < downCut {
			old = i
		}
	}
	stabilized := current
	if stabilized < up {
		stabilized = up
	}
	if stabilized > down {
		stabilized = down
	}
	h.record(old, desired, now)
	able := [2]string{"ReadyForNewScale", "recommended size matches current size"}
	if stabilized != desired {
		if desired >= current {
			able = [2]string{"ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation"}
		} else {
			able = [2]string{"ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation"}
		}
	}
	out, limit := stabilized, [2]string{"DesiredWithinRange", msgWithin}
	if stabilized > current {
		upLimit := h.upLimit(now, current, &b.ScaleUp)
		if upLimit < current {
			upLimit = current
		}
		maxAllowed, reason := maxR, [2]string{"TooManyReplicas", msgTooMany}
		if maxAllowed > upLimit {
			maxAllowed, reason = upLimit, [2]string{"ScaleUpLimit", msgUpRate}
		}
		if stabilized > maxAllowed {
			out, limit = maxAllowed, reason
		}
	} else if stabilized < current {
		downLimit := h.downLimit(now, current, &b.ScaleDown)
		if downLimit > current {
			downLimit = current
		}
		minAllowed, reason := minR, [2]string{"TooFewReplicas", msgTooFew}
		if minAllowed < downLimit {
			minAllowed, reason = downLimit, [2]string{"ScaleDownLimit", msgDownRate}
		}
		if stabilized < minAllowed {
			out, limit = minAllowed, reason
		}
	}
	return out, able, out != stabilized, limit
}

// changeIn is getReplicasChangePerPeriod: the replicas added (or removed)
// by the events of the last period seconds.
func changeIn(now sim.Time, periodSeconds int32, events []scaleEvent) int32 {
	cutoff := now - sim.Time(periodSeconds)*1e9
	var n int32
	for _, e := range events {
		if e.at > cutoff {
			n += e.change
		}
	}
	return n
}

// upLimit is calculateScaleUpLimitWithScalingRules.
func (h *history) upLimit(now sim.Time, current int32, r *Rules) int32 {
	if r.SelectPolicy == SelectDisabled {
		return current
	}
	result, pick := int32(math.MinInt32), func(a, b int32) int32 { return max(a, b) }
	if r.SelectPolicy == SelectMin {
		result, pick = math.MaxInt32, func(a, b int32) int32 { return min(a, b) }
	}
	for _, p := range r.Policies {
		start := current - changeIn(now, p.PeriodSeconds, h.up) + changeIn(now, p.PeriodSeconds, h.down)
		var proposed int32
		if p.Type == Pods {
			proposed = start + p.Value
		} else {
			proposed = int32(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		}
		result = pick(result, proposed)
	}
	return result
}

// downLimit is calculateScaleDownLimitWithBehaviors.
func (h *history) downLimit(now sim.Time, current int32, r *Rules) int32 {
	if r.SelectPolicy == SelectDisabled {
		return current
	}
	result, pick := int32(math.MaxInt32), func(a, b int32) int32 { return min(a, b) }
	if r.SelectPolicy == SelectMin {
		result, pick = math.MinInt32, func(a, b int32) int32 { return max(a, b) }
	}
	for _, p := range r.Policies {
		start := current - changeIn(now, p.PeriodSeconds, h.up) + changeIn(now, p.PeriodSeconds, h.down)
		var proposed int32
		if p.Type == Pods {
			proposed = start - p.Value
		} else {
			proposed = int32(float64(start) * (1 - float64(p.Value)/100))
		}
		result = pick(result, proposed)
	}
	return result
}

// storeScaleEvent records a scale from prev to next (with a behavior): an
// event older than the longest policy period is reused.
func (h *history) storeScaleEvent(now sim.Time, b *Behavior, prev, next int32) {
	if b == nil {
		return
	}
	events, rules, change := &h.up, &b.ScaleUp, next-prev
	if next < prev {
		events, rules, change = &h.down, &b.ScaleDown, prev-next
	}
	var longest int32
	for _, p := range rules.Policies {
		longest = max(longest, p.PeriodSeconds)
	}
	cutoff := now - sim.Time(longest)*1e9
	for i := range *events {
		if (*events)[i].at < cutoff {
			(*events)[i].outdated = true
		}
	}
	for i := range *events {
		if (*events)[i].outdated {
			(*events)[i] = scaleEvent{change: change, at: now}
			return
		}
	}
	*events = append(*events, scaleEvent{change: change, at: now})
}
