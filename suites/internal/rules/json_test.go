package rules

import "testing"

func TestSameJSON(t *testing.T) {
	for _, tc := range []struct {
		sent, got string
		want      bool
	}{
		{`{"a": [1, "x", null, true]}`, `{"a":[1,"x",null,true]}`, true},
		{`{"a": 1, "b": 2}`, `{"b": 2, "a": 1}`, true},
		{`9007199254740993`, `9007199254740993`, true},
		{`9007199254740993`, `9007199254740992`, false}, // beyond 2^53: exact, not as doubles
		{`1`, `1.0`, true},
		{`0.1`, `0.1000000000000000055511151231257827`, true},
		{`1`, `2`, false},
		{`"é"`, `"\u00e9"`, true},
		{`[1, 2]`, `[2, 1]`, false},
		{`{"a": 1}`, `{"a": 1, "b": 2}`, false},
		{`1e999999999`, `1e999999999`, true},
		{`1`, `not json`, false},
	} {
		if got := SameJSON([]byte(tc.sent), []byte(tc.got)); got != tc.want {
			t.Errorf("SameJSON(%s, %s) = %v, want %v", tc.sent, tc.got, got, tc.want)
		}
	}
}
