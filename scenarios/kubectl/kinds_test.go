package kubectl

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/scenarios/manifest"
)

// The manifest package's kinds (what Decode reads as modelled) and the
// kinds table (what apply, create -f, patch and edit apply) are the same
// list: every decoded API type has a table entry of its kind that applies
// it, and every type an entry applies is one Decode reads. A kind added to
// one and not the other fails here, naming it.
func TestKindsTableMatchesManifestKinds(t *testing.T) {
	decoded := map[reflect.Type]string{}
	for i, typ := range manifest.SupportedTypes() {
		kind := manifest.SupportedKinds()[i]
		decoded[typ] = kind
		r, ok := apiKinds[typ]
		if !ok {
			t.Errorf("manifest decodes %s (%v), which no entry of the kinds table (kinds.go) applies: add it to the entry's apply", kind, typ)
			continue
		}
		if _, k, _ := strings.Cut(kind, " "); resources[r].kind != k {
			t.Errorf("%s (%v) is applied by the table's %s entry, of kind %s", kind, typ, r, resources[r].kind)
		}
	}
	for r, info := range resources {
		for _, typ := range info.apply.types {
			if _, ok := decoded[typ]; !ok {
				t.Errorf("the kinds table's %s entry applies %v, which manifest.Decode does not read (its kinds list, decode.go)", r, typ)
			}
		}
	}
	if len(decoded) != len(apiKinds) {
		t.Errorf("manifest reads %d API types, the kinds table applies %d", len(decoded), len(apiKinds))
	}
}
