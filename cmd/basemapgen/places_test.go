package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// cities is a few lines of GeoNames' cities1000.txt: id, name, ascii
// name, alternate names, lat, lon, class, code, country, …, population.
var cities = strings.Join([]string{
	"98182\tBaghdad\tBaghdad\tBagdad,Baghdad,بغداد,بغدا د\t33.34058\t44.40088\tP\tPPLC\tIQ\t\t07\t\t\t\t7216000\t\t41\tAsia/Baghdad\t2020-01-01",
	"89570\tRamadi\tRamadi\tAr Ramadi,الرمادى,الرمادي\t33.41906\t43.30032\tP\tPPLA\tIQ\t\t04\t\t\t\t274539\t\t51\tAsia/Baghdad\t2020-01-01",
	"94824\tKarbala\tKarbala\tkarbala,كةربالا,كربلاء\t32.61603\t44.02488\tP\tPPLA\tIQ\t\t12\t\t\t\t434450\t\t29\tAsia/Baghdad\t2020-01-01",
	"2065597\tAl Mawşil al Jadīdah\tAl Mawsil al Jadidah\tالموصل الجديدة\t36.33271\t43.1049\tP\tPPLX\tIQ\t\t18\t\t\t\t2065597\t\t223\tAsia/Baghdad\t2020-01-01",
	"112931\tTehran\tTehran\tTehran,تهران\t35.69439\t51.42151\tP\tPPLC\tIR\t\t26\t\t\t\t7153309\t\t1194\tAsia/Tehran\t2020-01-01",
	"2988507\tParis\tParis\tParis\t48.85341\t2.3488\tP\tPPLC\tFR\t\t11\t\t\t\t2138551\t\t42\tEurope/Paris\t2020-01-01",
	"3000000\tVillage\tVillage\t\t48.0\t2.0\tP\tPPL\tFR\t\t11\t\t\t\t5000\t\t42\tEurope/Paris\t2020-01-01",
	"3000001\tNowhere\tNowhere\t\t33.0\t44.0\tP\tPPL\tIQ\t\t11\t\t\t\t\t\t42\tAsia/Baghdad\t2020-01-01",
	"",
}, "\n")

var middleEast = orb.Bound{Min: orb.Point{24, 12}, Max: orb.Point{64, 44}}

func TestReadPlaces(t *testing.T) {
	ps, err := readPlaces(strings.NewReader(cities), middleEast)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Name+"|"+p.NameAr)
	}
	// capitals first, then by population; no section of a city, no
	// village outside the region, no place without a population; Arabic
	// names only where Arabic is spoken, "بغدا د" and the Kurdish
	// "كةربالا" passed over
	want := []string{"Baghdad|بغداد", "Tehran|", "Paris|", "Karbala|كربلاء", "Ramadi|الرمادي"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("places = %v, want %v", got, want)
	}
	if !ps[0].Capital || ps[0].Population != 7216000 || ps[0].Point != (orb.Point{44.40088, 33.34058}) || ps[0].Country != "IQ" {
		t.Errorf("Baghdad = %+v", ps[0])
	}
}

func TestReadPlacesRejects(t *testing.T) {
	for name, in := range map[string]string{
		"short line":     "1\tX\tX\n",
		"bad latitude":   strings.Replace(strings.Split(cities, "\n")[0], "33.34058", "north", 1),
		"bad population": strings.Replace(strings.Split(cities, "\n")[0], "7216000", "many", 1),
	} {
		if _, err := readPlaces(strings.NewReader(in), middleEast); err == nil {
			t.Errorf("%s: read", name)
		}
	}
}

func TestArabicName(t *testing.T) {
	for in, want := range map[string]string{
		"Damascus,د مشق,دمشق":       "دمشق",
		"Ramadi,الرمادى,الرمادي":    "الرمادي",
		"Erbil,أربيل,اربیل,هەولێر":  "أربيل", // Persian ی and Kurdish letters skipped
		"Abu Ghraib,أبو غريب":       "أبو غريب",
		"Sulaymaniyah,سلێمانی":      "",
		"X,مدينة 2":                 "",
		"Baqubah,بعقوبة,بَعْقُوبَة": "بعقوبة",
		"": "",
	} {
		if got := arabicName(in); got != want {
			t.Errorf("arabicName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestConvertDeterministic converts the same sources twice: the same
// bytes.
func TestConvertDeterministic(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "cities1000.txt")
	if err := os.WriteFile(src, []byte(cities), 0o644); err != nil {
		t.Fatal(err)
	}
	rivers := filepath.Join(dir, "rivers.json")
	if err := os.WriteFile(rivers, []byte(riversTopology), 0o644); err != nil {
		t.Fatal(err)
	}
	lakes := filepath.Join(dir, "lakes.json")
	if err := os.WriteFile(lakes, []byte(lakesGeoJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	var files [2][2][]byte
	for i := range files {
		out := filepath.Join(dir, string(rune('a'+i)))
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, _, err := convertPlaces(src, filepath.Join(out, "places.bin.gz"), middleEast); err != nil {
			t.Fatal(err)
		}
		if _, _, err := convertWater(rivers, lakes, "", filepath.Join(out, "water.bin.gz"), middleEast); err != nil {
			t.Fatal(err)
		}
		for j, name := range []string{"places.bin.gz", "water.bin.gz"} {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			files[i][j] = b
		}
	}
	for j := range files[0] {
		if !bytes.Equal(files[0][j], files[1][j]) {
			t.Errorf("file %d differs between two runs", j)
		}
	}
}
