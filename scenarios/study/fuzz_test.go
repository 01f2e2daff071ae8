package study

import (
	"bytes"
	"testing"
)

// FuzzParse: any input gives a study or an error, never a panic, and a study
// that parses survives its canonical form unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte(rngStudy))
	f.Add([]byte(fakeStudy))
	f.Add([]byte(questionStudy))
	y, _ := BuiltinYAML("mmc-validation")
	f.Add(y)
	f.Add([]byte("name: s\nbase: b\nreplications: {min: 3}\nmetrics: [m]\nparameters: {points: [{a: 1}, {b: x}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz", data)
		if err != nil {
			return
		}
		j1, err := s.JSON()
		if err != nil {
			t.Fatalf("valid study does not marshal: %v", err)
		}
		c, err := s.YAML()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse("canonical", c)
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, c)
		}
		j2, _ := back.JSON()
		if !bytes.Equal(j1, j2) {
			t.Fatalf("canonical form changed the study:\n%s\n%s", j1, j2)
		}
	})
}
