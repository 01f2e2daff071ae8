package plots_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/kubesim/kubesim/plots"
	"github.com/kubesim/kubesim/scenarios"
)

// A chart with a log y axis keeps the height a linear one has: gonum/plot
// made room for the y label as if it sat at the arithmetic middle of the
// range, near the top of a log axis, and online-boutique's latency_frontend
// (10 to 5,000 ms) lost 52 px above its data (its axis began at row 172, the
// endpoints chart's, with the same title and timeline marks, at 109).
func TestLogAxisKeepsItsHeight(t *testing.T) {
	s, err := scenarios.Builtin("online-boutique")
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Run(s)
	if err != nil {
		t.Fatal(err)
	}
	run := plots.Run{Title: s.Name, Summary: res.Summary, Series: res.Rec.Series(), Workloads: res.Workloads()}
	for _, st := range res.Timeline {
		run.Timeline = append(run.Timeline, plots.Step{T: st.At, Command: st.Command, Output: st.Output, Error: st.Error, Later: st.Later})
	}
	dir := t.TempDir()
	if _, err := plots.WriteAll(dir, run); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "latency_frontend.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg, []byte("log scale")) {
		t.Fatal("latency_frontend is not on a log scale: the test needs one")
	}
	log, lin := axisTop(t, filepath.Join(dir, "latency_frontend.png")), axisTop(t, filepath.Join(dir, "endpoints.png"))
	// Up to half a tick label more: the log axis has one at its very top.
	if log-lin > 15 {
		t.Errorf("latency_frontend's y axis starts at row %d, endpoints' at %d: the log axis lost %d px above its data", log, lin, log-lin)
	}
}

// axisTop is the top row of the y axis: the longest vertical run of dark
// pixels in the left 15% of the image.
func axisTop(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	dark := func(x, y int) bool {
		r, g, bl, _ := img.At(x, y).RGBA()
		return r < 0xb0<<8 && g < 0xb0<<8 && bl < 0xb0<<8
	}
	best, top := 0, -1
	for x := b.Min.X; x < b.Min.X+b.Dx()*15/100; x++ {
		n := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			if !dark(x, y) {
				n = 0
				continue
			}
			if n++; n > best {
				best, top = n, y-n+1
			}
		}
	}
	if best < b.Dy()/4 {
		t.Fatalf("%s: no y axis found (longest dark column %d px)", path, best)
	}
	return top
}
