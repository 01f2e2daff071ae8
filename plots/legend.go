package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendItem is one entry of a chart's legend. Legends are drawn in a strip
// below the chart, outside every data area, so that they never hide a line or
// each other: entries flow left to right and wrap onto as many rows as the
// chart's width needs.
type legendItem struct {
	label  string
	thumbs []plot.Thumbnailer
}

type legend []legendItem

func (l *legend) add(label string, thumbs ...plot.Thumbnailer) {
	*l = append(*l, legendItem{label: label, thumbs: thumbs})
}

var legendText = draw.TextStyle{Color: color.Gray{0x20}, Font: font.From(plot.DefaultFont, 10),
	XAlign: draw.XLeft, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}

const (
	legendThumbW = vg.Length(24)
	legendGap    = vg.Length(6)  // between a thumbnail and its text
	legendSpace  = vg.Length(18) // between entries
	legendMargin = vg.Length(50) // from the chart's left edge (about the y axis's width)
)

func legendRowH() vg.Length { return legendText.Height("Mg") + vg.Points(5) }

func (it legendItem) width() vg.Length {
	return legendThumbW + legendGap + legendText.Width(it.label)
}

// rows flows the entries into rows of at most width w.
func (l legend) rows(w vg.Length) [][]legendItem {
	var out [][]legendItem
	var row []legendItem
	x := vg.Length(0)
	avail := w - legendMargin - vg.Points(8)
	for _, it := range l {
		iw := it.width()
		if len(row) > 0 && x+legendSpace+iw > avail {
			out = append(out, row)
			row, x = nil, 0
		}
		if len(row) > 0 {
			x += legendSpace
		}
		row = append(row, it)
		x += iw
	}
	if len(row) > 0 {
		out = append(out, row)
	}
	return out
}

// height is the strip the legend needs below a chart of width w.
func (l legend) height(w vg.Length) vg.Length {
	if len(l) == 0 {
		return 0
	}
	return vg.Length(len(l.rows(w)))*legendRowH() + vg.Points(8)
}

// draw draws the legend in c, a strip as high as height says.
func (l legend) draw(c draw.Canvas) {
	rh := legendRowH()
	y := c.Max.Y - vg.Points(4) - rh/2
	for _, row := range l.rows(c.Max.X - c.Min.X) {
		x := c.Min.X + legendMargin
		for _, it := range row {
			tc := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: y - rh/2 + vg.Points(3)}, Max: vg.Point{X: x + legendThumbW, Y: y + rh/2 - vg.Points(3)}}}
			for _, t := range it.thumbs {
				t.Thumbnail(&tc)
			}
			c.FillText(legendText, vg.Point{X: x + legendThumbW + legendGap, Y: y}, it.label)
			x += it.width() + legendSpace
		}
		y -= rh
	}
}
